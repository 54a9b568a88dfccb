#!/usr/bin/env bash
# Builds the release binaries for linux-x64, linux-arm64, darwin-x64, darwin-arm64 and win32-x64 on
# this (Linux x86-64) machine, checks each one's format, smoke-tests those that can run here
# (x64 natively, arm64 under qemu-user, Windows under wine: start, health, one whole capture at
# --time-scale 0, the dashboard), and packs the npm tarballs into dist/npm/.
#
#   bash scripts/build-binaries.sh                        # all five
#   bash scripts/build-binaries.sh linux-x64 win32-x64    # some
#   NO_SMOKE=1 bash scripts/build-binaries.sh             # build and pack only
#
# It installs what it needs: the Rust targets (rustup), zig + cargo-zigbuild (PyPI) for the Linux
# and macOS links, and from Debian qemu-user, wine and the MinGW-w64 linker. Linux binaries are
# static musl ones (they run on any Linux; musl's allocator is not used: mimalloc is linked in, and
# the CPU per request is the same as glibc's: README "Prebuilt binaries"). The macOS binaries
# cannot run here: they are checked for Mach-O format, architecture and linked libraries only.
# Release builds of five targets take long: run it niced in the background
# (`nice -n 10 bash scripts/build-binaries.sh > build.log 2>&1 &`).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-dist}"
ALL=(linux-x64 linux-arm64 win32-x64 darwin-arm64 darwin-x64)
PLATFORMS=("$@")
[ ${#PLATFORMS[@]} -eq 0 ] && PLATFORMS=("${ALL[@]}")

triple() {
  case "$1" in
    linux-x64) echo x86_64-unknown-linux-musl ;;
    linux-arm64) echo aarch64-unknown-linux-musl ;;
    darwin-x64) echo x86_64-apple-darwin ;;
    darwin-arm64) echo aarch64-apple-darwin ;;
    win32-x64) echo x86_64-pc-windows-gnu ;;
    *) echo "unknown platform $1 (known: ${ALL[*]})" >&2; return 1 ;;
  esac
}
exe() { if [ "$1" = win32-x64 ]; then echo webcapture-emulator.exe; else echo webcapture-emulator; fi; }
# What `file` must say about each.
format() {
  case "$1" in
    linux-x64) echo 'ELF 64-bit LSB.*x86-64.*statically linked' ;;
    linux-arm64) echo 'ELF 64-bit LSB.*ARM aarch64.*statically linked' ;;
    darwin-x64) echo 'Mach-O 64-bit x86_64 executable' ;;
    darwin-arm64) echo 'Mach-O 64-bit arm64 executable' ;;
    win32-x64) echo 'PE32\+ executable.*x86-64' ;;
  esac
}

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
apt_install() {
  echo "== installing from Debian: $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

echo "== tools"
TRIPLES=()
for p in "${PLATFORMS[@]}"; do TRIPLES+=("$(triple "$p")"); done
rustup target add "${TRIPLES[@]}" >/dev/null
if ! command -v cargo-zigbuild >/dev/null || ! python3 -m ziglang version >/dev/null 2>&1; then
  echo "== installing ziglang and cargo-zigbuild from PyPI"
  pip install -q ziglang cargo-zigbuild 2>/dev/null || pip install -q --break-system-packages ziglang cargo-zigbuild
fi
NEED=()
command -v file >/dev/null || NEED+=(file)
command -v node >/dev/null || NEED+=(nodejs npm)
for p in "${PLATFORMS[@]}"; do
  case "$p" in
    linux-arm64) command -v qemu-aarch64 >/dev/null || NEED+=(qemu-user) ;;
    win32-x64)
      command -v x86_64-w64-mingw32-gcc >/dev/null || NEED+=(gcc-mingw-w64-x86-64)
      command -v wine >/dev/null || NEED+=(wine wine64)
      ;;
  esac
done
[ ${#NEED[@]} -gt 0 ] && apt_install "${NEED[@]}"
[ -d scripts/smoke/node_modules/ws ] || (cd scripts/smoke && npm ci --no-audit --no-fund --loglevel=error)

mkdir -p "$OUT/bin"
SMOKE_FAILED=0
PACK_ARGS=()
for p in "${PLATFORMS[@]}"; do
  t="$(triple "$p")"
  echo "== $p ($t): cargo build --release"
  start=$(date +%s)
  if [ "$p" = win32-x64 ]; then
    # MinGW-w64's gcc links it (and compiles ring's and mimalloc's C).
    cargo build --release --locked --target "$t"
  else
    # zig links it: any Linux (static musl), and macOS without the macOS SDK (notify uses kqueue).
    cargo zigbuild --release --locked --target "$t"
  fi
  mkdir -p "$OUT/bin/$p"
  bin="$OUT/bin/$p/$(exe "$p")"
  cp "target/$t/release/$(exe "$p")" "$bin"
  echo "   built in $(($(date +%s) - start)) s: $(stat -c %s "$bin") bytes"
  described="$(file -b "$bin")"
  echo "   file: $described"
  if ! grep -Eq "$(format "$p")" <<<"$described"; then
    echo "   FORMAT FAIL: expected /$(format "$p")/" >&2
    SMOKE_FAILED=1
  fi
  PACK_ARGS+=(--binary "$p=$bin")
  [ -n "${NO_SMOKE:-}" ] && continue
  case "$p" in
    linux-x64) node scripts/smoke/smoke.mjs "$bin" || SMOKE_FAILED=1 ;;
    linux-arm64) node scripts/smoke/smoke.mjs --runner qemu-aarch64 "$bin" || SMOKE_FAILED=1 ;;
    win32-x64)
      # Debian's wine 8 lacks bcryptprimitives.dll (Rust's std takes random bytes from its
      # ProcessPrng; Windows 10+ has it): a test-only stand-in next to a copy of the exe.
      shim="$(mktemp -d)"
      x86_64-w64-mingw32-gcc -O2 -shared -o "$shim/bcryptprimitives.dll" scripts/smoke/wine-shim/bcryptprimitives.c -ladvapi32
      cp "$bin" "$shim/"
      WINEDEBUG=-all node scripts/smoke/smoke.mjs --runner wine "$shim/$(exe "$p")" || SMOKE_FAILED=1
      rm -rf "$shim"
      ;;
    darwin-*)
      # Cannot run here: the link resolved every symbol (zig fails the link otherwise); show
      # which dynamic libraries it needs (libSystem only: no macOS framework).
      libs="$(strings -n 8 "$bin" | grep -E '^(/usr/lib/|/System/Library/)' | sort -u | tr '\n' ' ')"
      echo "   links: $libs"
      if grep -q Frameworks <<<"$libs"; then echo "   needs a macOS framework" >&2; SMOKE_FAILED=1; fi
      echo "   not run (no macOS here)"
      ;;
  esac
done

echo "== npm pack"
rm -f "$OUT"/npm/*.tgz
node npm/pack.mjs --out "$OUT/npm" "${PACK_ARGS[@]}"

echo "== sizes (bytes)"
for p in "${PLATFORMS[@]}"; do
  bin="$OUT/bin/$p/$(exe "$p")"
  printf '%-14s binary %10s  gzip %10s\n' "$p" "$(stat -c %s "$bin")" "$(gzip -c "$bin" | wc -c)"
done
exit "$SMOKE_FAILED"
