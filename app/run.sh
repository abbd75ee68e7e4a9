#!/usr/bin/env bash
# Peihu's main job on the embedded defaults: the sync server with SQLite and demo data on
# 127.0.0.1:8780 (console at /console), and the tablet app pointed at it.
# Data lives in target/demo (delete it to start again). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

source tests/tools.sh
listen=${PEIHU_LISTEN:-127.0.0.1:8780}
data=${PEIHU_DEMO_DIR:-$PWD/target/demo}

missing=()
for pkg in libwebkit2gtk-4.1-dev fonts-noto-cjk curl python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
install_tools
build_ui

echo "==> building peihu-server and peihu-field"
cargo build -q -p peihu-server -p peihu-device
have_tablet=no
if cargo metadata --no-deps --format-version 1 | grep -q '"name":"peihu-tablet"'; then
  echo "==> building the tablet app"
  cargo build -q -p peihu-tablet
  have_tablet=yes
fi

if [ ! -f "$data/accounts.json" ]; then
  echo "==> loading demo data into $data"
  mkdir -p "$data"
  target/debug/peihu-server demo --data "$data" --json > "$data/accounts.json.tmp"
  mv "$data/accounts.json.tmp" "$data/accounts.json"
fi

target/debug/peihu-server serve --data "$data" --listen "$listen" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo
echo "Peihu demo server: http://$listen   (supervisors' console: http://$listen/console)"
echo "Demo accounts (supervisors log into the console with the password shown):"
python3 - "$data/accounts.json" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1])):
    pw = f"  console password: {a['password']}" if a.get("password") else ""
    print(f"  {a['user']:<8} {a['role']:<10} {a['place']:<12}{pw}")
PY
echo "Fresh one-time enrolment codes (for another account:"
echo "  target/debug/peihu-server admin --data $data code LOGIN):"
for who in helper1 escort1; do
  code=$(target/debug/peihu-server admin --data "$data" code "$who")
  echo "  enrolment code for $who: $code"
done
echo

if [ "$have_tablet" = yes ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  PEIHU_SERVER="http://$listen" PEIHU_DATA_DIR="${PEIHU_TABLET_DIR:-$PWD/target/tablet}" \
    target/debug/peihu-tablet
else
  [ "$have_tablet" = yes ] && echo "(no display: start target/debug/peihu-tablet yourself, or use xvfb-run)"
  echo "Server running; the headless client works too, e.g.:"
  echo "  target/debug/peihu-field --data /tmp/tablet1 enroll --server http://$listen --code <code>"
  echo "  target/debug/peihu-field --data /tmp/tablet1 sync && target/debug/peihu-field --data /tmp/tablet1 duty"
  echo "Ctrl-C to stop."
  wait "$server"
fi
