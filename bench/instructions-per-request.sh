#!/usr/bin/env bash
# User-space instructions per init-liveness-session request, counted by valgrind's callgrind: a
# deterministic A/B figure on a machine whose CPU-time figures move by ±20% between runs.
#
#   bash bench/instructions-per-request.sh BINARY LABEL      # D=8 seconds of load by default
#   ENDPOINT=caps bash bench/instructions-per-request.sh BINARY LABEL
#                                    # GET /video-server/v2/capabilities instead (the common path)
# PORT (default 18195) moves the server, for two benches on one machine.
#
# The server runs under callgrind; after a 3 s warm-up (which fills the session store towards its
# cap, so the sweep's share is counted) the counters are zeroed, wrk -t1 -c8 loads init for D
# seconds, and the counters are dumped: instructions ÷ requests. Kernel time is not counted.
set -euo pipefail
B=$1; L=$2; D=${D:-8}; PORT=${PORT:-18195}
cd "$(dirname "$0")/.."
OUT=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out.$L" "$B" --port $PORT --time-scale 0 \
  --lockout-attempts 0 >/dev/null 2>"$OUT/valgrind.err" &
P=$!
for _ in $(seq 300); do curl -s -o /dev/null http://127.0.0.1:$PORT/__emulator/health && break; sleep 0.2; done
case "${ENDPOINT:-init}" in
  init) load() { WRK_METHOD=POST WRK_BODY='{"livenessMode":"LIVENESS_PASSIVE"}' wrk -t1 -c8 -d"$1"s \
    -s bench/wrk/request.lua http://127.0.0.1:$PORT/video-server/init-liveness-session; } ;;
  caps) load() { WRK_METHOD=GET wrk -t1 -c8 -d"$1"s -s bench/wrk/request.lua \
    http://127.0.0.1:$PORT/video-server/v2/capabilities; } ;;
  *) echo "ENDPOINT must be init or caps" >&2; exit 2 ;;
esac
load 3 >/dev/null 2>&1
callgrind_control -z "$P" >/dev/null
line=$(load "$D" | grep '^WRK ')
callgrind_control -d "$P" >/dev/null
kill "$P"; wait "$P" 2>/dev/null || true
n=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
ir=$(callgrind_annotate "$OUT/callgrind.out.$L.1" 2>/dev/null | grep -m1 'PROGRAM TOTALS' | awk '{gsub(",", "", $1); print $1}')
echo "$L requests=$n instructions=$ir per_request=$(awk -v i="$ir" -v n="$n" 'BEGIN { printf "%.0f", i / n }') profile=$OUT/callgrind.out.$L.1"
