#!/usr/bin/env bash
# Robustness runs (bounded, ~3 minutes; --quick ~1 minute): slowloris headers, idle/half-open
# sockets, half-sent bodies, clients that vanish, oversized and deeply nested JSON, header flood.
#   bash bench/robustness.sh [--quick] [--bin PATH]
# Starts its own emulator on 127.0.0.1:18085, runs bench/robustness.mjs (Node, no dependencies)
# against it, prints one CLEAN/UNCLEAN line per run and saves everything under bench/results/.
# Not part of the test suite; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=""; QUICK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --quick) QUICK=--quick; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BIN" ]; then
  CARGO_TARGET_DIR="$ROOT/target" cargo build --release --quiet
  BIN="$ROOT/target/release/webcapture-emulator"
fi
OUT="$ROOT/bench/results/robustness-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
"$BIN" --port 18085 >"$OUT/emulator.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:18085/__emulator/health && break; sleep 0.1; done
rc=0
node bench/robustness.mjs --port 18085 --pid "$PID" $QUICK | tee "$OUT/robustness.log" || rc=$?
if ! kill -0 "$PID" 2>/dev/null; then echo "UNCLEAN  the emulator died during the runs (see $OUT/emulator.log)"; rc=1; fi
echo "results: $OUT"
exit $rc
