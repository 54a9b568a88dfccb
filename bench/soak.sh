#!/usr/bin/env bash
# Soak: 1,000 concurrent capture sessions with mixed scenarios (success, spoof, timeout,
# poor-quality, no-match) at real time scale for MINUTES (default 30), server RSS sampled every
# 10 s; passes when no session errs and RSS stays within 10% after the warm-up (first 20%).
#   bash bench/soak.sh [MINUTES] [--bin PATH] [--concurrency N]
# Loopback only; bounded by MINUTES (+ one session timeout). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MINUTES=30; BIN=""; CONC=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --concurrency) CONC=$2; shift 2 ;;
    [0-9]*) MINUTES=$1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export CARGO_TARGET_DIR="$ROOT/target"
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN="$ROOT/target/release/webcapture-emulator"; fi
(cd bench/loadgen && cargo build --release --quiet --target-dir "$ROOT/target")
OUT="$ROOT/bench/results/soak-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
ulimit -n 20000 2>/dev/null || true
"$BIN" --port 18086 >"$OUT/emulator.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:18086/__emulator/health && break; sleep 0.1; done
# What each bounded store holds, once a minute (GET /__emulator/memory), to explain the RSS curve.
( while kill -0 "$PID" 2>/dev/null; do
    printf '%s %s\n' "$(date +%s)" "$(curl -s http://127.0.0.1:18086/__emulator/memory)" >>"$OUT/memory.log"
    sleep 60
  done ) &
SAMPLER=$!
trap 'kill $PID $SAMPLER 2>/dev/null || true' EXIT
rc=0
"$ROOT/target/release/loadgen" --url http://127.0.0.1:18086 --soak "$MINUTES" --concurrency "$CONC" \
  --ramp-s 5 --pid "$PID" 2>&1 | tee "$OUT/soak.log" || rc=$?
kill -0 "$PID" 2>/dev/null || { echo "the emulator died during the soak (see $OUT/emulator.log)"; rc=1; }
echo "results: $OUT"
exit $rc
