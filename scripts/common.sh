# Shared by the scripts and bench/run: install what is missing, then
# configure and build into build/. Source it; do not run it.

RMCP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RMCP_BUILD="${RMCP_BUILD:-$RMCP_ROOT/build}"

# The exact Debian packages the build, the tests and the demo need.
RMCP_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache openssl
  libcaf-dev libboost-dev nlohmann-json3-dev libsimdjson-dev liblmdb-dev libssl-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libcli11-dev
  libyaml-cpp-dev prometheus-cpp-dev clang-format etcd-server libsystemd-dev
  chromium libssh-dev lld
)

rmcp_log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# Installs the packages that are missing (quiet when all are present).
rmcp_ensure_packages() {
  local missing=()
  local pkg
  for pkg in "${RMCP_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  rmcp_log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# Configures (once) and builds the given targets (all when none given).
rmcp_build() {
  export CCACHE_BASEDIR="$RMCP_ROOT"
  # Debug info holds the build folder; without this, two checkouts never share a hit.
  export CCACHE_NOHASHDIR=1
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  local build_type="${RMCP_BUILD_TYPE:-RelWithDebInfo}"
  # Without -g unless asked (RMCP_DEBUG_INFO=1); a build folder configured
  # the other way is configured again.
  local debug_info=OFF
  [ "${RMCP_DEBUG_INFO:-0}" = 1 ] && debug_info=ON
  if [ ! -f "$RMCP_BUILD/build.ninja" ] \
    || ! grep -qx "RMCP_DEBUG_INFO:BOOL=$debug_info" "$RMCP_BUILD/CMakeCache.txt"; then
    cmake -G Ninja -S "$RMCP_ROOT" -B "$RMCP_BUILD" \
      -DCMAKE_BUILD_TYPE="$build_type" -DRMCP_DEBUG_INFO="$debug_info" \
      ${RMCP_CMAKE_ARGS:-} >/dev/null
  fi
  local jobs
  jobs=$(nproc)
  if [ $# -gt 0 ]; then
    cmake --build "$RMCP_BUILD" -j"$jobs" --target "$@"
  else
    cmake --build "$RMCP_BUILD" -j"$jobs"
  fi
}

# Links routeros-mcp in $RMCP_BUILD (a Release build that has
# routeros-mcp-bench) with the functions a training run executes placed
# first, in $RMCP_BUILD/function-order.txt: the bench's calls and HTTP groups
# once, with the daemon under callgrind, which names every function it runs.
# Packed together, the code the daemon runs takes a few MB of pages instead
# of most of the text (docs/benchmarks.md, "Code laid out by use").
rmcp_order_functions() {
  rmcp_ensure_packages valgrind
  local dir
  dir=$(mktemp -d)
  cat >"$dir/daemon" <<WRAP
#!/bin/sh
exec valgrind --tool=callgrind --demangle=no --dump-instr=no \
  --callgrind-out-file="$dir/callgrind.%p" --log-file="$dir/valgrind.%p" \
  "$RMCP_BUILD/routeros-mcp" "\$@"
WRAP
  chmod +x "$dir/daemon"
  rmcp_log "training run for the function order (daemon under callgrind)"
  if ! "$RMCP_BUILD/routeros-mcp-bench" --binary "$dir/daemon" \
    --only calls http --runs 1 --requests 100 >/dev/null 2>"$dir/bench.log"; then
    tail -5 "$dir/bench.log" >&2
    rmcp_log "the training run failed (log in $dir)"
    return 1
  fi
  awk -v object=routeros-mcp -f "$RMCP_ROOT/scripts/callgrind-functions.awk" \
    "$dir"/callgrind.* >"$dir/order"
  if [ ! -s "$dir/order" ]; then
    rmcp_log "the training run named no function of routeros-mcp (log in $dir)"
    return 1
  fi
  local order="$RMCP_BUILD/function-order.txt"
  cmp -s "$dir/order" "$order" || mv "$dir/order" "$order"
  rm -rf "$dir"
  rmcp_log "$(wc -l <"$order") functions placed first"
  cmake -S "$RMCP_ROOT" -B "$RMCP_BUILD" -DRMCP_ORDER_FILE="$order" >/dev/null
  cmake --build "$RMCP_BUILD" --target routeros-mcp
  # Written back now: until then the new file's pages are dirty, and a
  # daemon started from it shows its code as written pages (smaps'
  # Private_Dirty, the bench's "written (relocations)").
  sync "$RMCP_BUILD/routeros-mcp"
}
