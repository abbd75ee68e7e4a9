#!/usr/bin/env bash
# Starts a demo peihu-server on loopback and the tablet app against it. Prints the one-time
# enrolment codes (helper1, escort1 …) to type on the enrol screen. Ctrl-C stops both.
# Needs the UI built first (app/ui/build.sh). Under no display, prefix with xvfb-run -a.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
port="${PEIHU_DEMO_PORT:-8780}"
cd "$root"
cargo build -p peihu-server -p peihu-tablet
target="${CARGO_TARGET_DIR:-$root/target}/debug"
"$target/peihu-server" demo --data "$work/server" --json > "$work/accounts.json"
echo "demo accounts (enrolment codes):"
python3 -c 'import json,sys; [print(f"  {a[\"user\"]:<10} {a[\"role\"]:<10} {a[\"code\"]}") for a in json.load(open(sys.argv[1]))]' "$work/accounts.json"
"$target/peihu-server" serve --data "$work/server" --listen "127.0.0.1:$port" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1; do sleep 0.2; done
PEIHU_DATA_DIR="$work/tablet" PEIHU_SERVER="http://127.0.0.1:$port" "$target/peihu-tablet"
