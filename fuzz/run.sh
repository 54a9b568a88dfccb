#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60; the issue's bar is 600) with libFuzzer's
# limits for "no crash, no hang, no unbounded allocation": -timeout=10 (s per input),
# -rss_limit_mb=1024, -malloc_limit_mb=512. Seeds from fuzz/corpus/<target>/; new inputs go to a
# scratch copy so the kept corpus stays small (minimise and copy interesting ones back by hand).
#   bash fuzz/run.sh [SECONDS] [TARGET...]
# Needs the nightly toolchain (rustup) and cargo-fuzz (`cargo install cargo-fuzz`); installs
# cargo-fuzz when missing. Findings land in fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-60}; shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(scenario_parser scenario_plan init_body face_upload channel_message image_upload admin_body)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
mkdir -p /tmp/fuzz-scratch
rc=0
for t in "${TARGETS[@]}"; do
  scratch=/tmp/fuzz-scratch/$t
  rm -rf "$scratch"; mkdir -p "$scratch"; cp corpus/"$t"/* "$scratch"/ 2>/dev/null || true
  log=/tmp/fuzz-scratch/$t.log
  cargo +nightly fuzz run -O "$t" "$scratch" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 \
    -print_final_stats=1 >"$log" 2>&1
  code=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  if [ $code = 0 ]; then
    echo "PASS  $t: ${runs:-?} inputs in ${SECONDS_EACH} s, ${cov:-cov ?}, peak RSS ${peak:-?} MB"
  else
    rc=1
    echo "FAIL  $t (exit $code): $(grep -m1 -E 'ERROR: libFuzzer|panicked at|SUMMARY' "$log")"
    grep -A3 -m1 'panicked at' "$log" | sed 's/^/      /'
    echo "      log: $log; reproducer: $(grep -o 'artifacts/[^ ]*' "$log" | tail -1)"
  fi
done
exit $rc
