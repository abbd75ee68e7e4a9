#!/usr/bin/env bash
# Peihu's whole test run, from a fresh Debian 12 machine: installs what is missing, then runs
# formatting, lints, the wasm build of the shared crate and every test (browser and WebDriver
# tests included, under Xvfb). Safe to run again: installed tools are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

need_apt=()
for pkg in libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver fonts-noto-cjk imagemagick chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  step "installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

step "rust toolchain and wasm target"
rustup show active-toolchain >/dev/null
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

source tests/tools.sh
install_tools

step "cargo fmt --check"
cargo fmt --all --check

step "wasm32 build of the shared crate"
cargo build -q -p peihu-shared --target wasm32-unknown-unknown

build_ui

step "clippy (all targets, warnings are errors)"
cargo clippy -q --workspace --all-targets -- -D warnings

step "tests"
xvfb-run -a -s "-screen 0 1280x1280x24" cargo test --workspace 2>&1 | tee target/test-output.txt
