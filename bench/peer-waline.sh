#!/usr/bin/env bash
# The bench's comparison peer: Waline (@waline/vercel, a self-hosted comment server) on SQLite,
# listening on 127.0.0.1 only. Waline is installed outside the project (build/peer/waline, ignored
# by git), never into the project's package.json.
#
#   bench/peer-waline.sh install           install the pinned Waline into build/peer/waline (once)
#   bench/peer-waline.sh start PORT DIR    make a fresh, empty Waline database in DIR, run Waline
#
# Environment: WALINE_DIR (install dir), WALINE_SCHEMA (Waline's empty schema as SQL, default
# bench/peer/waline-schema.sql), NODE (the node binary to run Waline with).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WALINE_VERSION="1.39.3"
WALINE_DIR="${WALINE_DIR:-$ROOT/build/peer/waline}"
WALINE_SCHEMA="${WALINE_SCHEMA:-$ROOT/bench/peer/waline-schema.sql}"
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
    [ -f "$WALINE_SCHEMA" ] || { echo "no Waline schema at $WALINE_SCHEMA" >&2; exit 1; }
    mkdir -p "$DIR"
    rm -f "$DIR/waline.sqlite"
    # The database is made with Waline's own SQLite driver, from the schema kept as SQL in the repo.
    "$NODE" -e '
      const sqlite3 = require(process.argv[1]);
      const db = new sqlite3.Database(process.argv[2]);
      db.exec(require("node:fs").readFileSync(process.argv[3], "utf8"), (err) => { if (err) { console.error(err.message); process.exit(1); } db.close(); });
    ' "$WALINE_DIR/node_modules/sqlite3" "$DIR/waline.sqlite" "$WALINE_SCHEMA"
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
