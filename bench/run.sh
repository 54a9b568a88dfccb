#!/usr/bin/env bash
# The benchmark: webcapture-emulator next to WireMock (npm `wiremock`, standalone jar on the machine's
# Java) and a bare axum hello-world (bench/yardstick), on this machine, loopback only, bounded in time.
#
#   bash bench/run.sh                 # ~3 minutes: start-up, HTTP load, RSS, a short capture-session run
#   bash bench/run.sh --long          # + 2 million requests for RSS, + 10,000 concurrent capture sessions
#
# Options:
#   --duration S      seconds of wrk load per endpoint and target (default 10)
#   --bin PATH        benchmark this emulator binary instead of building ./target/release
#   --no-wiremock     skip WireMock
#   --sessions N      concurrent capture sessions in the session run (default 1000; --long: 10000)
#   --long-requests N requests for the RSS-after-N run with --long (default 2000000)
#
# What it measures, per target (emulator / WireMock / axum yardstick):
#   start-up   wall time from spawn to the first HTTP 200 (median of 7 launches; bench/yardstick's
#              `startup-timer` probes without sleeping)
#   load       wrk -t2 -c64 for --duration seconds after a warm-up (3 s; 15 s for WireMock's JIT): req/s, p50, p99, and server CPU µs
#              per request = (utime+stime of the server from /proc/PID/stat over the run) ÷ requests
#   memory     emulator RSS idle, after the benchmark's requests, and (--long) after N requests
# Every figure lands in bench/results/<timestamp>/ (summary.txt plus raw logs). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=10
BIN=""
WIREMOCK=1
LONG=0
SESSIONS=""
LONG_REQUESTS=2000000
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --no-wiremock) WIREMOCK=0; shift ;;
    --long) LONG=1; shift ;;
    --sessions) SESSIONS=$2; shift 2 ;;
    --long-requests) LONG_REQUESTS=$2; shift 2 ;;
    -h|--help) sed -n 2,22p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$SESSIONS" ] || { [ "$LONG" = 1 ] && SESSIONS=10000 || SESSIONS=1000; }

RESULTS="$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS"
SUMMARY="$RESULTS/summary.txt"
say() { echo "$@" | tee -a "$SUMMARY"; }

# ---------------------------------------------------------------- tools
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
if [ "$WIREMOCK" = 1 ] && ! command -v java >/dev/null; then need_apt+=(openjdk-17-jre-headless); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]} (Debian)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ "$WIREMOCK" = 1 ] && [ ! -d bench/node_modules/wiremock ]; then
  echo "== installing wiremock (npm)"
  (cd bench && npm install --no-audit --no-fund --loglevel=error)
fi
WIREMOCK_JAR=$(ls bench/node_modules/wiremock/build/wiremock-standalone-*.jar 2>/dev/null | head -1 || true)

# ---------------------------------------------------------------- build
export CARGO_TARGET_DIR="$ROOT/target"
if [ -z "$BIN" ]; then
  echo "== cargo build --release (emulator)"
  cargo build --release --quiet
  BIN="$ROOT/target/release/webcapture-emulator"
fi
echo "== cargo build --release (bench/yardstick, bench/loadgen)"
(cd bench/yardstick && cargo build --release --quiet --target-dir "$ROOT/target")
(cd bench/loadgen && cargo build --release --quiet --target-dir "$ROOT/target")
YARD="$ROOT/target/release/yardstick"
TIMER="$ROOT/target/release/startup-timer"
LOADGEN="$ROOT/target/release/loadgen"

# ---------------------------------------------------------------- helpers
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

cpu_ticks() { awk '{ split($0, a, ") "); split(a[2], f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { if (v == "" || v == "n/a") print "n/a"; else printf "%.*f", d, v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# Waits (≤ 60 s) for an HTTP 200 on URL.
wait_ok() {
  local url=$1 i
  for i in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'apikey: bench-key' "$url" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "no 200 from $url" >&2; return 1
}

# HTTP status of one request: status METHOD URL [BODY]
status() {
  local args=(-s -o /dev/null -w '%{http_code}' -X "$1" -H 'apikey: bench-key')
  [ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data "$3")
  curl "${args[@]}" "$2" || echo 000
}

# load NAME PID METHOD URL [BODY] → appends a row to $ROWS and sets LAST_* figures.
ROWS=()
INIT_BODY='{"livenessMode":"LIVENESS_PASSIVE"}'
load() {
  local name=$1 pid=$2 method=$3 url=$4 body=${5:-}
  # The JVM needs a longer warm-up before its JIT has compiled the hot path; be fair to it.
  local warm=3; case "$name" in WireMock*) warm=$WARM_JVM ;; esac
  local probe; probe=$(status "$method" "$url" "$body")
  LAST_RPS=""; LAST_CPU=""
  if [ "$probe" = 404 ] || [ "$probe" = 000 ]; then
    ROWS+=("$(printf '%-44s %10s %9s %9s %12s %s' "$name" "n/a" "" "" "" "($probe)")")
    return 0
  fi
  local log="$RESULTS/wrk-$(echo "$name" | tr ' /' '__').log"
  WRK_METHOD=$method WRK_BODY=$body WRK_APIKEY=bench-key \
    wrk -t2 -c64 -d"${warm}s" -s bench/wrk/request.lua "$url" >/dev/null 2>&1 || true
  local t0; t0=$(cpu_ticks "$pid")
  WRK_METHOD=$method WRK_BODY=$body WRK_APIKEY=bench-key \
    wrk -t2 -c64 -d"${DURATION}s" --latency -s bench/wrk/request.lua "$url" >"$log" 2>&1 || true
  local t1; t1=$(cpu_ticks "$pid")
  local line; line=$(grep '^WRK ' "$log" || true)
  if [ -z "$line" ]; then
    ROWS+=("$(printf '%-44s %10s' "$name" "wrk failed (see $log)")")
    return 0
  fi
  local req dur p50 p99 non2xx sockerr
  eval "$(echo "$line" | sed 's/^WRK //')" 2>/dev/null || true
  req=$requests; dur=$duration_us; p50=$p50_us; p99=$p99_us; sockerr=$socket_errors
  LAST_RPS=$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  LAST_CPU=$(awk -v t="$((t1 - t0))" -v r="$req" 'BEGIN { printf "%.1f", t * 10000 / r }')
  TOTAL_REQUESTS=$((TOTAL_REQUESTS + req))
  local note=""
  [ "$non2xx" -gt 0 ] && note="$note non-2xx=$non2xx"
  [ "$sockerr" -gt 0 ] && note="$note socket-errors=$sockerr"
  [ "$probe" -ge 300 ] && note="$note (HTTP $probe)"
  ROWS+=("$(printf '%-44s %10s %9s %9s %12s%s' "$name" "$LAST_RPS" \
    "$(fmt "$(awk -v v="$p50" 'BEGIN{print v/1000}')" 2)" "$(fmt "$(awk -v v="$p99" 'BEGIN{print v/1000}')" 2)" "$LAST_CPU" "$note")")
}
TOTAL_REQUESTS=0
WARM_JVM=15

say "# webcapture-emulator benchmark — $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "# wrk -t2 -c64 -d${DURATION}s (after a warm-up: 3 s, WireMock ${WARM_JVM} s), loopback; CPU = server utime+stime / requests"
say ""

# ---------------------------------------------------------------- start-up
echo "== start-up (median of 7 launches each)"
START_EMU=$("$TIMER" --runs 7 --port 18090 -- "$BIN" --port '{port}' | tee "$RESULTS/startup-emulator.log" | sed -n 's/^median_ms=\([0-9.]*\).*/\1/p')
START_AXUM=$("$TIMER" --runs 7 --port 18091 -- "$YARD" '{port}' | tee "$RESULTS/startup-axum.log" | sed -n 's/^median_ms=\([0-9.]*\).*/\1/p')
START_WM="n/a"
if [ "$WIREMOCK" = 1 ] && [ -n "$WIREMOCK_JAR" ]; then
  START_WM=$("$TIMER" --runs 7 --port 18092 --path /video-server/v2/capabilities --header 'apikey: bench-key' -- \
    java -jar "$WIREMOCK_JAR" --port '{port}' --root-dir "$ROOT/bench/wiremock" --disable-banner \
    | tee "$RESULTS/startup-wiremock.log" | sed -n 's/^median_ms=\([0-9.]*\).*/\1/p')
fi

# ---------------------------------------------------------------- emulator under load
echo "== emulator under load"
EPORT=18080
EURL="http://127.0.0.1:$EPORT"
"$BIN" --port $EPORT --time-scale 0 --lockout-attempts 0 >"$RESULTS/emulator.log" 2>&1 &
EPID=$!; PIDS+=("$EPID")
wait_ok "$EURL/__emulator/health"
sleep 1
RSS_IDLE=$(rss_mb "$EPID")

# A session whose result is final (signed, as integrators fetch it after the capture): one capture
# played by the load generator at --time-scale 0; else a fresh session (answers PENDING).
RESULT_URL=""; RESULT_NOTE=""
result_of() { echo "$EURL/bioserver-app/v2/bio-sessions/$1/liveness-challenge-result"; }
"$LOADGEN" --url "$EURL" --sessions 1 --session-timeout-s 20 >"$RESULTS/loadgen-probe.log" 2>&1 || true
for id in $(curl -s "$EURL/__emulator/sessions" 2>/dev/null | grep -o '"id":"[^"]*"' | cut -d'"' -f4 | head -50); do
  body=$(curl -s -H 'apikey: bench-key' "$(result_of "$id")" || true)
  case "$body" in *'"livenessStatus"'*) case "$body" in *PENDING*) ;; *) RESULT_URL=$(result_of "$id"); break ;; esac ;; esac
done
if [ -z "$RESULT_URL" ]; then
  loc=$(curl -s -D - -o /dev/null -X POST -H 'apikey: bench-key' -H 'Content-Type: application/json' \
    --data "$INIT_BODY" "$EURL/video-server/init-liveness-session" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  if [ -n "$loc" ]; then RESULT_URL=$(result_of "${loc##*/bio-sessions/}"); RESULT_NOTE=" (PENDING session)"; fi
fi
load "emulator  GET capabilities" "$EPID" GET "$EURL/video-server/v2/capabilities"
EMU_CAP_RPS=$LAST_RPS; EMU_CAP_CPU=$LAST_CPU

if [ -n "$RESULT_URL" ]; then
  load "emulator  GET liveness-challenge-result$RESULT_NOTE" "$EPID" GET "$RESULT_URL"
else
  ROWS+=("$(printf '%-44s %10s %9s %9s %12s %s' "emulator  GET liveness-challenge-result" "n/a" "" "" "" "(no session: init $(status POST "$EURL/video-server/init-liveness-session" "$INIT_BODY"))")")
fi
# init last: it fills the session store, whose cap (--max-sessions) evicts the oldest finished
# sessions first — including the one whose result was just loaded.
load "emulator  POST init-liveness-session" "$EPID" POST "$EURL/video-server/init-liveness-session" "$INIT_BODY"
EMU_INIT_RPS=$LAST_RPS; EMU_INIT_CPU=$LAST_CPU
RSS_AFTER=$(rss_mb "$EPID")
REQ_AFTER=$TOTAL_REQUESTS

# ---------------------------------------------------------------- yardstick
echo "== axum yardstick under load"
"$YARD" 18081 >/dev/null 2>&1 &
YPID=$!; PIDS+=("$YPID")
wait_ok "http://127.0.0.1:18081/__emulator/health"
load "axum yardstick  GET capabilities" "$YPID" GET "http://127.0.0.1:18081/video-server/v2/capabilities"
AXUM_RPS=$LAST_RPS; AXUM_CPU=$LAST_CPU

# Paired rounds: this machine's speed drifts by ±25% within minutes, so the emulator/yardstick
# ratios are also taken from alternating short runs (3 s each, PAIR_ROUNDS pairs), median of the
# per-pair ratios — the figure that survives the drift.
PAIR_ROUNDS=5
pair_run() { # pair_run PID URL → "cpu_us rps"
  local t0 t1 line req dur
  t0=$(cpu_ticks "$1")
  line=$(WRK_METHOD=GET WRK_APIKEY=bench-key wrk -t2 -c64 -d3s -s bench/wrk/request.lua "$2" 2>/dev/null | grep '^WRK ' || true)
  t1=$(cpu_ticks "$1")
  req=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p'); dur=$(echo "$line" | sed -n 's/.*duration_us=\([0-9]*\).*/\1/p')
  awk -v t="$((t1 - t0))" -v r="${req:-0}" -v d="${dur:-1}" 'BEGIN { if (r > 0) printf "%.2f %.0f", t * 10000 / r, r / (d / 1e6); else print "0 0" }'
}
echo "== paired rounds: emulator vs yardstick, capabilities ($PAIR_ROUNDS × 2 × 3 s)"
: >"$RESULTS/paired.txt"
for _ in $(seq 1 "$PAIR_ROUNDS"); do
  e=$(pair_run "$EPID" "$EURL/video-server/v2/capabilities")
  y=$(pair_run "$YPID" "http://127.0.0.1:18081/video-server/v2/capabilities")
  echo "$e $y" | tee -a "$RESULTS/paired.txt"
done
median_col() { awk -v c="$1" '{print $c}' "$RESULTS/paired.txt" | sort -g | awk '{a[NR]=$1} END { print a[int((NR+1)/2)] }'; }
PAIR_EMU_CPU=$(median_col 1); PAIR_EMU_RPS=$(median_col 2); PAIR_AXUM_CPU=$(median_col 3); PAIR_AXUM_RPS=$(median_col 4)
PAIR_CPU_RATIO=$(awk '$3 > 0 {print $1 / $3}' "$RESULTS/paired.txt" | sort -g | awk '{a[NR]=$1} END { printf "%.2f", a[int((NR+1)/2)] }')
PAIR_RPS_RATIO=$(awk '$4 > 0 {print $2 / $4}' "$RESULTS/paired.txt" | sort -g | awk '{a[NR]=$1} END { printf "%.2f", a[int((NR+1)/2)] }')
kill "$YPID" 2>/dev/null || true

# ---------------------------------------------------------------- WireMock
WM_CAP_CPU=""; WM_INIT_CPU=""; WM_CAP_RPS=""; RSS_WM=""
if [ "$WIREMOCK" = 1 ] && [ -n "$WIREMOCK_JAR" ]; then
  echo "== WireMock under load"
  java -jar "$WIREMOCK_JAR" --port 18082 --root-dir "$ROOT/bench/wiremock" --disable-banner >"$RESULTS/wiremock.log" 2>&1 &
  WPID=$!; PIDS+=("$WPID")
  wait_ok "http://127.0.0.1:18082/video-server/v2/capabilities"
  WURL="http://127.0.0.1:18082"
  load "WireMock  GET capabilities" "$WPID" GET "$WURL/video-server/v2/capabilities"
  WM_CAP_RPS=$LAST_RPS; WM_CAP_CPU=$LAST_CPU
  load "WireMock  POST init-liveness-session" "$WPID" POST "$WURL/video-server/init-liveness-session" "$INIT_BODY"
  WM_INIT_CPU=$LAST_CPU
  load "WireMock  GET liveness-challenge-result" "$WPID" GET "$WURL/bioserver-app/v2/bio-sessions/x/liveness-challenge-result"
  RSS_WM=$(rss_mb "$WPID")
  kill "$WPID" 2>/dev/null || true
fi

# ---------------------------------------------------------------- report (HTTP)
say "## Start-up to first answered request (median of 7)"
say "$(printf '  emulator %8s ms    axum yardstick %8s ms    WireMock %8s ms' "$(fmt "$START_EMU" 2)" "$(fmt "$START_AXUM" 2)" "$(fmt "$START_WM" 0)")"
say ""
say "## Load"
say "$(printf '%-44s %10s %9s %9s %12s' "target / endpoint" "req/s" "p50 ms" "p99 ms" "CPU µs/req")"
for r in "${ROWS[@]}"; do say "$r"; done
say ""
say "## Memory (emulator)"
say "  RSS idle ${RSS_IDLE} MB; after ${REQ_AFTER} benchmark requests ${RSS_AFTER} MB${RSS_WM:+; WireMock after its runs ${RSS_WM} MB}"
say ""
say "## Paired rounds (capabilities, $PAIR_ROUNDS alternating pairs of 3 s runs; medians)"
say "  emulator $PAIR_EMU_CPU µs/req, $PAIR_EMU_RPS req/s · yardstick $PAIR_AXUM_CPU µs/req, $PAIR_AXUM_RPS req/s"
say "  per-pair median ratios: CPU/request emulator/axum $PAIR_CPU_RATIO · throughput emulator/axum $PAIR_RPS_RATIO   (target ≥ 0.8)"
say ""
say "## Ratios (single runs above)"
say "  throughput emulator/axum (capabilities):        $(ratio "$EMU_CAP_RPS" "$AXUM_RPS")   (target ≥ 0.8)"
say "  CPU/request emulator/axum (capabilities):       $(ratio "$EMU_CAP_CPU" "$AXUM_CPU")"
say "  start-up WireMock/emulator:                     $(ratio "$START_WM" "$START_EMU")   (target ≥ 100)"
say "  CPU/request WireMock/emulator (capabilities):   $(ratio "$WM_CAP_CPU" "$EMU_CAP_CPU")"
say "  CPU/request WireMock/emulator (init):           $(ratio "$WM_INIT_CPU" "$EMU_INIT_CPU")"
say "  throughput emulator/WireMock (capabilities):    $(ratio "$EMU_CAP_RPS" "$WM_CAP_RPS")"
say ""

# ---------------------------------------------------------------- --long: RSS after N requests
if [ "$LONG" = 1 ]; then
  echo "== RSS after $LONG_REQUESTS requests (init-liveness-session and capabilities, alternating 20 s runs)"
  done_req=$TOTAL_REQUESTS
  start_s=$SECONDS
  while [ "$done_req" -lt "$LONG_REQUESTS" ] && [ $((SECONDS - start_s)) -lt 1200 ]; do
    for ep in init caps; do
      if [ "$ep" = init ]; then m=POST; u="$EURL/video-server/init-liveness-session"; b=$INIT_BODY
      else m=GET; u="$EURL/video-server/v2/capabilities"; b=""; fi
      out=$(WRK_METHOD=$m WRK_BODY=$b WRK_APIKEY=bench-key wrk -t2 -c64 -d20s -s bench/wrk/request.lua "$u" 2>&1 | grep '^WRK ' || true)
      n=$(echo "$out" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
      done_req=$((done_req + ${n:-0}))
      echo "  $done_req requests, RSS $(rss_mb "$EPID") MB" | tee -a "$RESULTS/long.log"
    done
  done
  sleep 2
  say "## RSS after $done_req requests: $(rss_mb "$EPID") MB (target ≤ 60 MB); sessions kept: $(curl -s "$EURL/__emulator/sessions" | grep -o '"id"' | wc -l)"
  say ""
fi
kill "$EPID" 2>/dev/null || true

# ---------------------------------------------------------------- capture sessions
echo "== capture sessions"
ulimit -n 20000 2>/dev/null || true
"$BIN" --port 18083 --time-scale 0 --lockout-attempts 0 >"$RESULTS/emulator-ts0.log" 2>&1 &
ZPID=$!; PIDS+=("$ZPID")
wait_ok "http://127.0.0.1:18083/__emulator/health"
CH=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:18083/video-server/engine.io" || echo 000)
if [ "$CH" = 404 ]; then
  say "## Capture sessions: n/a (the channel /video-server/engine.io answers 404 in this build)"
else
  "$LOADGEN" --url http://127.0.0.1:18083 --sessions 200 --concurrency 1 --pid "$ZPID" \
    >"$RESULTS/loadgen-ts0.log" 2>&1 || true
  say "## One whole success capture at --time-scale 0 (200 sequential sessions; target ≤ 5 ms)"
  sed -n 's/^\(completed\|errors\|session wall time.*\)/  \1/p' "$RESULTS/loadgen-ts0.log" | tee -a "$SUMMARY"
  kill "$ZPID" 2>/dev/null || true
  "$BIN" --port 18084 --lockout-attempts 0 >"$RESULTS/emulator-sessions.log" 2>&1 &
  SPID=$!; PIDS+=("$SPID")
  wait_ok "http://127.0.0.1:18084/__emulator/health"
  ramp=$(awk -v n="$SESSIONS" 'BEGIN { printf "%.1f", n / 2000 }')
  "$LOADGEN" --url http://127.0.0.1:18084 --sessions "$SESSIONS" --ramp-s "$ramp" --pid "$SPID" \
    >"$RESULTS/loadgen-sessions.log" 2>&1 || true
  say "## $SESSIONS concurrent capture sessions at real time scale (started over ${ramp} s)"
  grep -v '^RESULT' "$RESULTS/loadgen-sessions.log" | sed 's/^/  /' | tee -a "$SUMMARY"
  kill "$SPID" 2>/dev/null || true
fi
kill "$ZPID" 2>/dev/null || true
say ""
say "Raw logs: $RESULTS"
