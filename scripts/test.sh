#!/usr/bin/env bash
# Runs every test: Rust unit + integration tests, the npm packaging with its JS API tests and the
# example Playwright suite (scripts/test-npm.sh), then the browser tests in Debian's Chromium.
# Installs what the tests need when it is missing (Chromium from apt, npm packages), so it works
# on a fresh machine as root with only the package registries reachable.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ -f tests/browser/package.json ] && [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "== installing browser test packages"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "== cargo build"
cargo build --quiet
echo "== cargo test"
cargo test --quiet 2>&1

echo "== npm packages, JS API, Playwright fixture and example (scripts/test-npm.sh)"
bash scripts/test-npm.sh "$PWD/target/debug/webcapture-emulator"

if [ -f tests/browser/package.json ]; then
  echo "== browser tests"
  WEBCAPTURE_EMULATOR_BIN="$PWD/target/debug/webcapture-emulator" \
    node --test --test-concurrency=1 tests/browser/
fi
