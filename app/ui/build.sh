#!/usr/bin/env bash
# Builds the tablet UI into app/ui/dist: the Yew app compiled to wasm32, bound with the
# wasm-bindgen CLI (its version must equal the wasm-bindgen crate in Cargo.lock), plus the
# hand-written index.html and style.css. Run from anywhere; honours CARGO_TARGET_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
want="$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  echo "app/ui/build.sh: wasm-bindgen CLI $want is needed (found '${have:-none}'):" >&2
  echo "  cargo install wasm-bindgen-cli --version =$want" >&2
  exit 1
fi
cargo build --manifest-path "$root/Cargo.toml" -p peihu-ui --target wasm32-unknown-unknown --profile wasm-release
rm -rf "$here/dist"
mkdir -p "$here/dist"
wasm-bindgen --target web --no-typescript --out-dir "$here/dist" --out-name peihu-ui \
  "$target/wasm32-unknown-unknown/wasm-release/peihu-ui.wasm"
cp "$here/index.html" "$here/style.css" "$here/dist/"
echo "app/ui/build.sh: built $here/dist ($(du -sh "$here/dist" | cut -f1))"
