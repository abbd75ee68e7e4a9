# Shared by tests/run.sh and app/run.sh: installs the build tools Peihu needs and builds the UI.
# shellcheck shell=bash

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Whether the tablet app (Tauri shell + Yew UI) is part of the workspace.
have_tablet() {
  grep -E '^members = ' Cargo.toml | grep -q '"app/shell"'
}

install_tools() {
  have_tablet || return 0
  local wbv
  wbv=$(wasm_bindgen_version)
  if [ -n "$wbv" ] && ! wasm-bindgen --version 2>/dev/null | grep -q "$wbv"; then
    printf '\n==> installing wasm-bindgen-cli %s\n' "$wbv"
    cargo install -q wasm-bindgen-cli --version "=$wbv" --locked 2>/dev/null \
      || cargo install -q wasm-bindgen-cli --version "=$wbv"
  fi
  if ! command -v tauri-driver >/dev/null; then
    printf '\n==> installing tauri-driver 2.1.0\n'
    cargo install -q tauri-driver --version 2.1.0 --locked
  fi
}

build_ui() {
  if have_tablet && [ -x app/ui/build.sh ]; then
    printf '\n==> building the tablet UI (wasm)\n'
    app/ui/build.sh
  fi
}
