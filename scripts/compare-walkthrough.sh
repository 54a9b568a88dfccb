#!/bin/bash
# Runs the README's "Try it with curl" walkthrough against two binaries (same --seed) and diffs
# their answers (dates masked, images as checksums, signatures elided): a re-layout or a speed-up
# must leave every answer as it was.
#   bash scripts/compare-walkthrough.sh OLD_BINARY NEW_BINARY
set -u
cd "$(dirname "$0")/.."
walk() {
  local bin=$1 port=$2
  "$bin" --port "$port" --seed 7 >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s "localhost:$port/__emulator/health" >/dev/null && break; sleep 0.1; done
  local BASE=http://127.0.0.1:$port KEY=any-key
  echo "== capabilities"; curl -s -H "apikey: $KEY" $BASE/video-server/v2/capabilities; echo
  echo "== create"; curl -si -X POST -H "apikey: $KEY" -H 'Content-Type: application/json' \
    -d '{"livenessMode":"LIVENESS_PASSIVE","correlationId":"my-tx-1"}' \
    $BASE/video-server/init-liveness-session | grep -iv "^date:"; echo
  local SID REF SELFIE
  SID=$(curl -s -X POST -H "apikey: $KEY" -H 'Content-Type: application/json' \
    -d '{"livenessMode":"LIVENESS_PASSIVE"}' $BASE/video-server/init-liveness-session \
    | sed 's/.*"id":"\([^"]*\)".*/\1/')
  echo "== result"; curl -s -H "apikey: $KEY" $BASE/bioserver-app/v2/bio-sessions/$SID/liveness-challenge-result; echo
  REF=$(curl -s -H "apikey: $KEY" -F image=@fixtures/reference-1.jpg \
    -F 'face={"imageType":"SELFIE","friendlyName":"reference"};type=application/json' \
    $BASE/bioserver-app/v2/bio-sessions/$SID/faces | sed 's/^{"id":"\([^"]*\)".*/\1/')
  SELFIE=$(curl -s -H "apikey: $KEY" -F image=@fixtures/selfie-1.png \
    $BASE/bioserver-app/v2/bio-sessions/$SID/faces | sed 's/^{"id":"\([^"]*\)".*/\1/')
  echo "== face"; curl -s -H "apikey: $KEY" $BASE/bioserver-app/v2/bio-sessions/$SID/faces/$REF; echo
  echo "== image"; curl -s -H "apikey: $KEY" $BASE/bioserver-app/v2/bio-sessions/$SID/faces/$REF/image | md5sum
  echo "== image, compressed"; curl -s -H "apikey: $KEY" "$BASE/bioserver-app/v2/bio-sessions/$SID/faces/$SELFIE/image?compression=true" | md5sum
  echo "== matches"; curl -s -H "apikey: $KEY" $BASE/bioserver-app/v2/bio-sessions/$SID/faces/$REF/matches \
    | sed 's/"signature":"[^"]*"/"signature":"…"/'; echo
  echo "== bad input"; curl -s -X POST -H "apikey: $KEY" -H 'Content-Type: application/json' \
    -d '{"livenessMode":"LIVENESS_MEDIUM"}' $BASE/video-server/init-liveness-session; echo
  kill "$pid"
}
mask() { sed -E 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?/DATE/g'; }
old=$(mktemp); new=$(mktemp)
walk "$1" 18601 | mask >"$old"
walk "$2" 18602 | mask >"$new"
if diff "$old" "$new"; then echo "same answers ($(grep -c '^==' "$new") steps)"; else exit 1; fi
