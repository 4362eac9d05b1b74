#!/usr/bin/env bash
# The bench's comparison peer: Waline (@waline/vercel, a self-hosted comment server) on SQLite,
# listening on 127.0.0.1 only. Waline is installed outside the project (build/peer/waline, ignored
# by git), never into the project's package.json.
#
#   bench/peer-waline.sh install           install the pinned Waline into build/peer/waline (once)
#   bench/peer-waline.sh start PORT DIR    copy the empty Waline schema fresh into DIR, run Waline
#
# Environment: WALINE_DIR (install dir), WALINE_SQLITE (the empty schema, default
# ../shared/waline/waline.sqlite beside the repo), NODE (the node binary to run Waline with).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WALINE_VERSION="1.39.3"
WALINE_DIR="${WALINE_DIR:-$ROOT/build/peer/waline}"
WALINE_SQLITE="${WALINE_SQLITE:-$ROOT/../shared/waline/waline.sqlite}"
NODE="${NODE:-$ROOT/node_modules/node/bin/node}"

installed() {
  [ -f "$WALINE_DIR/node_modules/@waline/vercel/package.json" ] &&
    grep -q "\"version\": \"$WALINE_VERSION\"" "$WALINE_DIR/node_modules/@waline/vercel/package.json" &&
    "$NODE" -e "require(process.argv[1])" "$WALINE_DIR/node_modules/sqlite3" >/dev/null 2>&1
}

case "${1:-}" in
  install)
    if installed; then echo "Waline $WALINE_VERSION already installed in $WALINE_DIR"; exit 0; fi
    mkdir -p "$WALINE_DIR"
    [ -f "$WALINE_DIR/package.json" ] || echo '{ "name": "billet-bench-peer-waline", "private": true }' > "$WALINE_DIR/package.json"
    # sqlite3 (Waline's SQLite driver) has no prebuilt binary reachable here: it is compiled from
    # the SQLite sources it ships, against the Node headers Debian's nodejs package installs.
    if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
    npm install --prefix "$WALINE_DIR" --no-audit --no-fund --save-exact "@waline/vercel@$WALINE_VERSION"
    if ! installed; then npm rebuild --prefix "$WALINE_DIR" sqlite3; fi
    installed || { echo "Waline's SQLite driver (sqlite3) did not build" >&2; exit 1; }
    ;;
  start)
    PORT="${2:?port}"; DIR="${3:?state directory}"
    installed || { echo "Waline is not installed: run bench/peer-waline.sh install" >&2; exit 1; }
    [ -f "$WALINE_SQLITE" ] || { echo "no Waline schema at $WALINE_SQLITE" >&2; exit 1; }
    mkdir -p "$DIR"
    cp "$WALINE_SQLITE" "$DIR/waline.sqlite"
    chmod u+w "$DIR/waline.sqlite"
    # SQLite storage in DIR; no Akismet (an outside service); the per-address posting interval off,
    # as billet's rate limit is off for the bench. Everything else is Waline's default.
    export WALINE_DIR SQLITE_PATH="$DIR" SQLITE_DB="waline" AKISMET_KEY="false" IPQPS="0"
    JWT_TOKEN="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    export JWT_TOKEN
    cd "$DIR"
    exec "$NODE" "$ROOT/bench/peer-waline-start.cjs" "$PORT"
    ;;
  *)
    echo "usage: $0 install | start PORT DIR" >&2
    exit 2
    ;;
esac
