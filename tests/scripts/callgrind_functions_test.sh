#!/usr/bin/env bash
# scripts/callgrind-functions.awk on two callgrind outputs written the way
# valgrind writes them (names given in full once, then by "(id)"): it must
# list the functions run in routeros-mcp once each, in the order first
# seen, and nothing run in another object or only called from it.
set -euo pipefail
awk_script="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat >"$dir/callgrind.100" <<'OUT'
# callgrind format
version: 1
creator: callgrind-3.19.0
cmd: /opt/build/routeros-mcp serve --stdio
events: Ir
ob=(1) /opt/build/routeros-mcp
fl=(1) ???
fn=(1) main
0 3
cob=(2) /usr/lib/x86_64-linux-gnu/libc.so.6
cfi=(2) ???
cfn=(2) malloc
calls=1 0
0 20
fn=(3) _ZN4rmcp5startEv
0 7
cfn=(4) _ZN4rmcp4stepEv.cold
calls=1 0
0 2
ob=(2)
fn=(2)
0 20
fn=(5) _ZN4rmcp9only_calledEv
0 1
ob=(1)
fn=(4)
0 2
fn=(6) 0x0000000000307930
0 1
fn=(1)
0 1
OUT
# A second daemon: the ids start again, and "main" is seen already.
cat >"$dir/callgrind.200" <<'OUT'
events: Ir
ob=(1) /usr/lib/x86_64-linux-gnu/libc.so.6
fn=(1) free
0 4
ob=(2) /opt/build/routeros-mcp
fn=(2) _ZN4rmcp4http5serveEv
0 9
fn=(3) main
0 1
ob=(3) /opt/build/routeros-mcp-bench
fn=(4) _ZN5bench3runEv
0 5
OUT

awk -v object=routeros-mcp -f "$awk_script" "$dir/callgrind.100" \
  "$dir/callgrind.200" >"$dir/got"
printf '%s\n' main _ZN4rmcp5startEv _ZN4rmcp4stepEv.cold \
  _ZN4rmcp4http5serveEv >"$dir/want"
if ! diff -u "$dir/want" "$dir/got"; then
  echo "callgrind-functions.awk listed the wrong functions" >&2
  exit 1
fi
echo "4 functions, in order"
