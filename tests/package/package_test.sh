#!/usr/bin/env bash
# The Debian package, end to end on this machine: scripts/package builds
# it from the build tree; its contents, conffiles and control fields are
# checked with dpkg-deb; the unit with `systemd-analyze verify` (any
# warning fails); `dpkg -i` installs it; the installed daemon runs as the
# unit would run it (the system user, no new privileges, an empty
# capability bounding set; this machine's PID 1 need not be systemd, so
# setpriv stands in for it), answers /health and stops on SIGTERM with
# exit 0; `dpkg --purge` then leaves no file, directory or user behind.
#
# Usage: package_test.sh SOURCE_DIR BUILD_DIR. Needs root (dpkg). Runs one
# at a time per machine (flock): two checkouts testing at once would
# install over each other.
set -euo pipefail

src=$1
build=$2
pkg=routeros-mcp
user=routeros-mcp
conf=/etc/routeros-mcp
state=/var/lib/routeros-mcp

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "-- $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i / --purge)"

exec 9>/var/lock/routeros-mcp-package-test.lock
flock -w 120 9 || fail "another package test holds /var/lock/routeros-mcp-package-test.lock"

if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed"; then
  fail "$pkg is installed on this machine; this test installs and purges it: run dpkg --purge $pkg first"
fi

work=$(mktemp -d)
daemon=""
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kill -KILL "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed\|config-files"; then
    dpkg --purge "$pkg" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "build the package"
deb=$(RMCP_BUILD="$build" RMCP_PACKAGE_PREBUILT=1 RMCP_PACKAGE_OUT="$work/out" \
  "$src/scripts/package")
[ -f "$deb" ] || fail "scripts/package printed '$deb', which is no file"
case "$(basename "$deb")" in
  routeros-mcp_*_amd64.deb) ;;
  *) fail "unexpected package file name $(basename "$deb")" ;;
esac

step "contents"
dpkg-deb -c "$deb" | awk '{print $6}' > "$work/contents"
for f in ./usr/bin/routeros-mcp ./usr/bin/routeros-sim \
  ./etc/routeros-mcp/routeros-mcp.yaml \
  ./lib/systemd/system/routeros-mcp.service \
  ./usr/share/man/man8/routeros-mcp.8 \
  ./usr/share/doc/routeros-mcp/operations.md; do
  grep -qx "$f" "$work/contents" || fail "$f is not in the package"
done
if grep -q "key$" "$work/contents"; then
  fail "the package ships a key file (keys are generated at install)"
fi
[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || fail "Package field"
[ "$(dpkg-deb -f "$deb" Architecture)" = amd64 ] || fail "Architecture field"
dpkg-deb -f "$deb" Depends | grep -q "libcaf-core" \
  || fail "Depends lacks the shared libraries: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = "$conf/routeros-mcp.yaml" ] \
  || fail "conffiles: $(cat "$work/control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
done

step "the unit"
dpkg-deb -x "$deb" "$work/root"
unit="$work/root/lib/systemd/system/routeros-mcp.service"
for directive in "Type=notify" "WatchdogSec=" "User=$user" \
  "StateDirectory=routeros-mcp" "ProtectSystem=strict" "NoNewPrivileges=yes" \
  "PrivateTmp=yes" "CapabilityBoundingSet=$"; do
  grep -q "^$directive" "$unit" || fail "the unit lacks $directive"
done

step "install"
dpkg -i "$deb" > "$work/dpkg-install.log" 2>&1 \
  || { cat "$work/dpkg-install.log" >&2; fail "dpkg -i"; }
# After the install: verify resolves ExecStart= against the real binary.
verify=$(systemd-analyze verify /lib/systemd/system/routeros-mcp.service 2>&1) \
  || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warns: $verify"
getent passwd "$user" > /dev/null || fail "no user $user"
for key in credential approval; do
  f="$conf/$key.key"
  [ "$(stat -c '%a %U' "$f")" = "600 $user" ] \
    || fail "$f: $(stat -c '%a %U' "$f"), expected 600 $user"
done
cmp -s "$conf/credential.key" "$conf/approval.key" \
  && fail "the two generated keys are equal"
[ "$(stat -c '%U' "$state")" = "$user" ] || fail "$state is not owned by $user"

step "run the installed daemon as the unit does"
as_service=(setpriv "--reuid=$user" "--regid=$user" --init-groups --no-new-privs
  --bounding-set=-all --inh-caps=-all --)
config_check=$("${as_service[@]}" /usr/bin/routeros-mcp --config \
  "$conf/routeros-mcp.yaml" config check 2>&1) || fail "config check: $config_check"
"${as_service[@]}" /usr/bin/routeros-mcp --config "$conf/routeros-mcp.yaml" \
  --set http.listen=127.0.0.1:0 --set "http.ports_file=$state/ports" \
  serve --http 2> "$work/daemon.log" &
daemon=$!
for _ in $(seq 100); do
  [ -s "$state/ports" ] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; fail "the daemon exited"; }
  sleep 0.1
done
port=$(sed -n 's/^http=//p' "$state/ports")
[ -n "$port" ] || { cat "$work/daemon.log" >&2; fail "no port in $state/ports"; }
health=$(curl -sS -m 5 "http://127.0.0.1:$port/health") || fail "GET /health"
echo "$health" | grep -q '"ready":true' || fail "/health: $health"
echo "$health" | grep -q '"environment":"prod"' || fail "/health: $health"
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
daemon=""
[ "$rc" -eq 0 ] || { cat "$work/daemon.log" >&2; fail "exit code $rc after SIGTERM"; }
grep -q "serve-stopped" "$work/daemon.log" || fail "no serve-stopped line"
[ "$(stat -c '%U' "$state/store")" = "$user" ] || fail "the store is not $user's"

step "purge"
dpkg --purge "$pkg" > "$work/dpkg-purge.log" 2>&1 \
  || { cat "$work/dpkg-purge.log" >&2; fail "dpkg --purge"; }
for path in /usr/bin/routeros-mcp /usr/bin/routeros-sim "$conf" "$state" \
  /lib/systemd/system/routeros-mcp.service /usr/share/doc/routeros-mcp \
  /usr/share/man/man8/routeros-mcp.8; do
  [ ! -e "$path" ] || fail "$path is left after purge"
done
getent passwd "$user" > /dev/null && fail "user $user is left after purge"
getent group "$user" > /dev/null && fail "group $user is left after purge"
dpkg-query -W "$pkg" > /dev/null 2>&1 && fail "dpkg still knows $pkg"
echo "package test passed: $(basename "$deb")"
