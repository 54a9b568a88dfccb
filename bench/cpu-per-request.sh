#!/usr/bin/env bash
# Server CPU time per request of one binary (musl vs glibc comparison in README "Prebuilt binaries"):
#   bash bench/cpu-per-request.sh BINARY LABEL   (wrk -t1 -c16 for 8 s on capabilities, then init-liveness-session)
B=$1; L=$2
OUTF="$(mktemp)"
$B --port 0 --time-scale 0 > "$OUTF" 2>/dev/null &
PID=$!
for i in $(seq 50); do grep -q "listening on" "$OUTF" && break; sleep 0.1; done
URL=$(grep -o "http://[0-9.:]*" "$OUTF" | head -1)
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
wrk -t1 -c8 -d3s -s "$(dirname "$0")/wrk/request.lua" $URL/video-server/v2/capabilities >/dev/null 2>&1
for shape in GET POST; do
  c0=$(cpu)
  if [ $shape = GET ]; then out=$(WRK_METHOD=GET wrk -t1 -c16 -d8s -s "$(dirname "$0")/wrk/request.lua" $URL/video-server/v2/capabilities 2>&1 | grep ^WRK)
  else out=$(WRK_METHOD=POST WRK_BODY='{"livenessMode":"LIVENESS_PASSIVE","correlationId":"b"}' wrk -t1 -c16 -d8s -s "$(dirname "$0")/wrk/request.lua" $URL/video-server/init-liveness-session 2>&1 | grep ^WRK); fi
  c1=$(cpu)
  n=$(echo "$out" | sed 's/.*requests=\([0-9]*\).*/\1/')
  echo "$L $shape requests=$n cpu_ticks=$((c1-c0)) cpu_us_per_req=$(( (c1-c0)*10000000/n/1000 )) rss_kb=$(awk '/VmRSS/{print $2}' /proc/$PID/status) $(echo $out | grep -o 'p50_us=[0-9]*')"
done
kill $PID
