#!/usr/bin/env bash
# Makes sure a MongoDB-compatible server and a Redis are reachable, and exports MONGO_URL / REDIS_URL.
# Source it (`source scripts/services.sh && services_up`), or use scripts/with-services.sh.
#
#   MONGO_URL set      -> used as is
#   otherwise          -> FerretDB v1.24.2 (built with Go when absent) on a free port, on a fresh database
#                         of the local PostgreSQL when one accepts `psql -U postgres` on 127.0.0.1:5432
#                         (faster than SQLite for the tests), else SQLite in a temp
#                         dir (FERRETDB_HANDLER=sqlite|postgresql forces one); without Go, a
#                         mongodb-memory-server process (needs internet on first use)
#   REDIS_URL set      -> used as is
#   (`bash scripts/services.sh stand-in-mongo DIR PORT`: the stand-in `npm start` and `npm run seed`
#   use offline with nothing configured, src/platform/mongo.ts: FerretDB on SQLite in DIR, kept)
#   otherwise          -> redis on 127.0.0.1:6379 if it answers, else a private redis-server on a free
#                         port (installed with apt-get when missing and we are root)

FERRETDB_VERSION="v1.24.2"
CAMPUS_CACHE="${CAMPUS_LIVE_CACHE:-$HOME/.cache/campus-live}"
FERRETDB_BIN="${FERRETDB_BIN:-$CAMPUS_CACHE/ferretdb-$FERRETDB_VERSION}"
SERVICES_DIR=""
SERVICES_PIDS=()
SERVICES_PG_DB=""

_log() { echo "[services] $*" >&2; }

_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

_wait_port() { # port seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

_ensure_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  if command -v ferretdb >/dev/null 2>&1 && ferretdb --version 2>/dev/null | grep -q "$FERRETDB_VERSION"; then
    FERRETDB_BIN="$(command -v ferretdb)"
    return 0
  fi
  # Go's own install place, for a shell whose PATH does not have it (a fresh login, an IDE's terminal).
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi
  command -v go >/dev/null 2>&1 || return 1
  _log "building FerretDB $FERRETDB_VERSION with Go (first run only, about a minute)"
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  # Built from the module source rather than `go install pkg@version`: that form needs the proxy's
  # version list (refused by some mirrors), and the module zip lacks build/version/version.txt, which
  # FerretDB's init() insists on when it is the main module. We write that file, then build.
  local src
  src="$(mktemp -d)"
  (
    set -e
    dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    cp -r "$dir/." "$src/"
    chmod -R u+w "$src"
    echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
    cd "$src"
    # Built beside it and renamed: another process building at the same time never runs half a binary.
    go build -o "$FERRETDB_BIN.$$" ./cmd/ferretdb
    mv -f "$FERRETDB_BIN.$$" "$FERRETDB_BIN"
  ) >&2
  rm -rf "$src"
  [ -x "$FERRETDB_BIN" ]
}

_start_mongo() {
  if _ensure_ferretdb; then
    local port dir
    port="$(_free_port)"
    dir="$SERVICES_DIR/ferretdb"
    mkdir -p "$dir"
    local backend=(--handler=sqlite --sqlite-url="file:$dir/")
    if [ "${FERRETDB_HANDLER:-}" != "sqlite" ] && _create_pg_db; then
      # A bounded pool: PostgreSQL allows 100 connections, and several test runs may share it.
      # FerretDB takes two pooled connections per update command (README, Known limits of FerretDB),
      # so clients get a pool of at most a third of it (maxPoolSize in MONGO_URL, below).
      backend=(--handler=postgresql --postgresql-url="postgres://postgres@127.0.0.1:5432/$SERVICES_PG_DB?pool_max_conns=${FERRETDB_PG_POOL:-45}")
    elif [ "${FERRETDB_HANDLER:-}" = "postgresql" ]; then
      _log "FERRETDB_HANDLER=postgresql but no PostgreSQL accepts psql -h 127.0.0.1 -U postgres"
      return 1
    fi
    "$FERRETDB_BIN" "${backend[@]}" --state-dir="$dir" \
      --listen-addr="127.0.0.1:$port" --debug-addr=127.0.0.1:0 --telemetry=disable \
      --log-level=error >"$SERVICES_DIR/ferretdb.log" 2>&1 &
    SERVICES_PIDS+=($!)
    _wait_port "$port" 30 || { _log "FerretDB did not start; see $SERVICES_DIR/ferretdb.log"; return 1; }
    export MONGO_URL="mongodb://127.0.0.1:$port/campus_live?maxPoolSize=${MONGO_POOL:-15}"
    _log "FerretDB $FERRETDB_VERSION (${backend[0]#--handler=}) on $MONGO_URL"
    return 0
  fi
  _log "no Go toolchain for FerretDB: starting mongodb-memory-server (downloads mongod on first use)"
  local urlfile="$SERVICES_DIR/mongo-url"
  node scripts/mongo-memory.js "$urlfile" >"$SERVICES_DIR/mongo-memory.log" 2>&1 &
  SERVICES_PIDS+=($!)
  local i
  for ((i = 0; i < 1200; i++)); do [ -s "$urlfile" ] && break; sleep 0.1; done
  [ -s "$urlfile" ] || { _log "mongodb-memory-server did not start (offline?): set MONGO_URL"; return 1; }
  export MONGO_URL="$(cat "$urlfile")"
}

# A fresh PostgreSQL database for FerretDB, if the local server lets us in (trust auth, as on the
# dev and CI machines). Dropped by services_down.
_create_pg_db() {
  command -v psql >/dev/null 2>&1 || return 1
  local name="ferretdb_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $name" >/dev/null 2>&1 || return 1
  # Equality lookups served by an index, as on MongoDB (scripts/sql/ferretdb-lookups.sql);
  # FERRETDB_PG_LOOKUP_INDEXES=0 leaves FerretDB's scans (to measure them: the probe's `lookups`).
  if [ "${FERRETDB_PG_LOOKUP_INDEXES:-1}" != "0" ]; then
    psql -h 127.0.0.1 -U postgres -d "$name" -v ON_ERROR_STOP=1 -q \
      -f "$(dirname "${BASH_SOURCE[0]}")/sql/ferretdb-lookups.sql" >/dev/null 2>&1 ||
      _log "could not install scripts/sql/ferretdb-lookups.sql: lookups by _id will scan whole tables"
  fi
  SERVICES_PG_DB="$name"
}

_start_redis() {
  if command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; then
    export REDIS_URL="redis://127.0.0.1:6379"
    _log "Redis already running on $REDIS_URL"
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      _log "installing redis-server with apt-get"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1
    fi
    command -v redis-server >/dev/null 2>&1 || { _log "no redis-server: install it or set REDIS_URL"; return 1; }
  fi
  local port
  port="$(_free_port)"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$SERVICES_DIR" \
    >"$SERVICES_DIR/redis.log" 2>&1 &
  SERVICES_PIDS+=($!)
  _wait_port "$port" 10 || { _log "redis-server did not start"; return 1; }
  export REDIS_URL="redis://127.0.0.1:$port"
  _log "started redis-server on $REDIS_URL"
}

services_up() {
  SERVICES_DIR="$(mktemp -d -t campus-live-services.XXXXXX)"
  if [ -z "${MONGO_URL:-}" ]; then _start_mongo || return 1; fi
  if [ -z "${REDIS_URL:-}" ]; then _start_redis || return 1; fi
  export CAMPUS_SERVICES_DIR="$SERVICES_DIR"
}

services_down() {
  local pid
  for pid in "${SERVICES_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${SERVICES_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  SERVICES_PIDS=()
  if [ -n "$SERVICES_PG_DB" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $SERVICES_PG_DB" >/dev/null 2>&1
    SERVICES_PG_DB=""
  fi
  [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}

# The stand-in for `npm start` and `npm run seed` when MONGO_URL is unset and mongod cannot be had
# (src/platform/mongo.ts starts it, and stops it): FerretDB on SQLite in DIR, which keeps the data
# between runs, in the foreground on 127.0.0.1:PORT.
stand_in_mongo() {
  local dir="$1" port="$2"
  _ensure_ferretdb || { _log "no FerretDB and no Go toolchain to build it: install Go or set MONGO_URL"; return 1; }
  mkdir -p "$dir/sqlite"
  exec "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$dir/sqlite/" --state-dir="$dir" \
    --listen-addr="127.0.0.1:$port" --debug-addr=127.0.0.1:0 --telemetry=disable --log-level=error
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    stand-in-mongo)
      [ $# -eq 3 ] || { echo "usage: bash scripts/services.sh stand-in-mongo DIR PORT" >&2; exit 2; }
      stand_in_mongo "$2" "$3" || exit 1
      ;;
    *)
      echo "usage: bash scripts/services.sh stand-in-mongo DIR PORT (or source it for services_up / services_down)" >&2
      exit 2
      ;;
  esac
fi
