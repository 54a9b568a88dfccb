#!/usr/bin/env bash
# Hot reload under load: 100 scenario-file writes (every other one invalid JSON or an unknown
# field) into the emulator's --scenarios directory while wrk loads capabilities and
# init-liveness-session; passes when wrk saw zero failed requests. Also measures reload latency:
# write → applied (the scenario's `loadedAt` in GET /__emulator/scenarios; target ≤ 100 ms),
# median and max.
#   bash bench/reload.sh [--bin PATH]
# ~40 s, loopback only. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=""
[ "${1:-}" = --bin ] && BIN=$2
export CARGO_TARGET_DIR="$ROOT/target"
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN="$ROOT/target/release/webcapture-emulator"; fi
OUT="$ROOT/bench/results/reload-$(date +%Y%m%d-%H%M%S)"
DIR="$OUT/scenarios"
mkdir -p "$DIR"
"$BIN" --port 18087 --scenarios "$DIR" >"$OUT/emulator.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
URL=http://127.0.0.1:18087
for _ in $(seq 1 100); do curl -sf -o /dev/null $URL/__emulator/health && break; sleep 0.1; done
if [ "$(curl -s -o /dev/null -w '%{http_code}' $URL/__emulator/scenarios)" = 404 ]; then
  echo "n/a: GET /__emulator/scenarios answers 404 in this build"; exit 0
fi
INIT='{"livenessMode":"LIVENESS_PASSIVE"}'
WRK_METHOD=GET WRK_APIKEY=k wrk -t1 -c32 -d35s -s bench/wrk/request.lua "$URL/video-server/v2/capabilities" >"$OUT/wrk-capabilities.log" 2>&1 &
W1=$!
WRK_METHOD=POST WRK_BODY=$INIT WRK_APIKEY=k wrk -t1 -c32 -d35s -s bench/wrk/request.lua "$URL/video-server/init-liveness-session" >"$OUT/wrk-init.log" 2>&1 &
W2=$!
sleep 2
: >"$OUT/latency.txt"
for i in $(seq 1 100); do
  if [ $((i % 2)) = 0 ]; then
    # invalid: alternately broken JSON and an unknown field
    if [ $((i % 4)) = 0 ]; then echo '{"description": "broken' >"$DIR/reload-bad.json"
    else echo '{"descripton": "typo"}' >"$DIR/reload-bad.json"; fi
    sleep 0.2
    continue
  fi
  desc="reload $i"
  t0=$(date +%s%N)
  printf '{"description": "%s", "result": {"livenessStatus": "SPOOF"}}\n' "$desc" >"$DIR/reload-good.json.tmp"
  mv "$DIR/reload-good.json.tmp" "$DIR/reload-good.json"
  seen=""
  for _ in $(seq 1 200); do
    listing=$(curl -s $URL/__emulator/scenarios)
    if echo "$listing" | grep -q "\"$desc\""; then seen=1; break; fi
    sleep 0.01
  done
  if [ -n "$seen" ]; then
    # The emulator's own record of when it applied the file (`loadedAt`), so the figure is the
    # reload's latency and not how long a curl poll waited behind wrk's 64 connections.
    loaded=$(echo "$listing" | grep -o "\"name\":\"reload-good\"[^}]*" | grep -o '"loadedAt":"[^"]*"' | cut -d'"' -f4)
    t1=$(date -d "$loaded" +%s%N)
    echo $(( (t1 - t0) / 1000000 )) >>"$OUT/latency.txt"
  else
    echo "miss" >>"$OUT/latency.txt"
  fi
  sleep 0.2
done
wait $W1 $W2 || true
echo "== reload latency (ms, write → applied, per the emulator's loadedAt; 50 valid writes)"
grep -v miss "$OUT/latency.txt" | sort -n | awk '{a[NR]=$1} END { if (NR) printf "  median %s ms, max %s ms, n=%d\n", a[int((NR+1)/2)], a[NR], NR }'
echo "  not seen within the poll budget: $(grep -c miss "$OUT/latency.txt" || true)"
echo "== requests during the 100 reloads"
rc=0
for f in capabilities init; do
  line=$(grep '^WRK ' "$OUT/wrk-$f.log" || echo "WRK failed")
  echo "  $f: $line"
  case "$line" in *"non2xx=0 socket_errors=0"*) ;; *) rc=1 ;; esac
done
kill -0 $PID 2>/dev/null || { echo "the emulator died"; rc=1; }
echo "results: $OUT"
exit $rc
