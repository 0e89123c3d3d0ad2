#!/usr/bin/env bash
# Makes sure a MongoDB-compatible server and a Redis are reachable, and exports MONGO_URL / REDIS_URL.
# Source it (`source scripts/services.sh && services_up`), or use scripts/with-services.sh.
#
#   MONGO_URL set  -> used as is
#   otherwise      -> the MongoDB stand-in: FerretDB 2.5 on a private PostgreSQL 15 cluster with the
#                     DocumentDB extension, built once from the vendored sources (shared/vendor/docdb
#                     beside this repository, or CAMPUS_DOCDB_DIR) into CAMPUS_LIVE_CACHE, then a fresh
#                     cluster on free ports per run (about 2 s); without those sources (or root to
#                     build them), a mongodb-memory-server process (downloads mongod on first use)
#   REDIS_URL set  -> used as is
#   otherwise      -> redis on 127.0.0.1:6379 if it answers, else a private redis-server on a free
#                     port (installed with apt-get when missing and we are root)
#
# Also a command, for processes that own a stand-in of their own:
#   bash scripts/services.sh private-mongo up|stop|kill DIR PORT
#     up: starts (or restarts) the stand-in whose cluster lives in DIR, FerretDB on 127.0.0.1:PORT;
#     stop: stops both cleanly; kill: SIGKILLs FerretDB and stops PostgreSQL immediately (a crash).
#   bash scripts/services.sh stand-in-mongo DIR PORT
#     the stand-in `npm start` and `npm run seed` use offline (src/platform/mongo.ts), in the foreground
#     until SIGTERM; DIR keeps its data between runs.

SERVICES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CAMPUS_CACHE="${CAMPUS_LIVE_CACHE:-$HOME/.cache/campus-live}"
DOCDB_CACHE="$CAMPUS_CACHE/docdb"
SERVICES_DIR=""
SERVICES_PIDS=()
SERVICES_MONGO_DIR=""

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

# The vendored build script (shared/vendor/docdb/build.sh): CAMPUS_DOCDB_DIR, else a `shared` folder
# beside this repository or beside one of its parents, else beside the repository it was cloned from.
_docdb_script() {
  local d candidates=()
  [ -n "${CAMPUS_DOCDB_DIR:-}" ] && candidates+=("$CAMPUS_DOCDB_DIR")
  for ((d = 0; d < 4; d++)); do
    local up="$SERVICES_ROOT"
    local i
    for ((i = 0; i <= d; i++)); do up="$(dirname "$up")"; done
    candidates+=("$up/shared/vendor/docdb")
  done
  local origin
  origin="$(git -C "$SERVICES_ROOT" config --get remote.origin.url 2>/dev/null || true)"
  [ -n "$origin" ] && [ -d "$origin" ] && candidates+=("$(cd "$origin" && pwd)/../shared/vendor/docdb")
  for d in "${candidates[@]}"; do
    if [ -f "$d/build.sh" ] && [ -f "$d/docdb-sources.tar.gz" ]; then
      echo "$d/build.sh"
      return 0
    fi
  done
  return 1
}

# Runs the vendored build.sh (CMD: up, stop, status) for the stand-in of DIR with the build cached in
# CAMPUS_LIVE_CACHE; heavy build phases of concurrent runs take turns through one lock file.
_docdb() { # cmd dir pg-port ferret-port
  local script
  script="$(_docdb_script)" || return 1
  mkdir -p "$DOCDB_CACHE"
  env DOCDB_SRC_DIR="$DOCDB_CACHE/src" DOCDB_PREFIX="$DOCDB_CACHE/prefix" DOCDB_BUILD_DIR="$DOCDB_CACHE/build" \
    DOCDB_LOCK="$DOCDB_CACHE/build.lock" DOCDB_PGDATA="$(_pg_data "$2")" DOCDB_PG_PORT="$3" FERRET_PORT="$4" \
    FERRET_STATE="$2/ferretdb" bash "$script" "$1"
}

# Where the PostgreSQL cluster of DIR keeps its data: DIR/pg, unless the postgres user cannot reach
# DIR (a folder in root's home): then a folder of DIR's own under PostgreSQL's home.
_pg_data() {
  if su postgres -s /bin/sh -c "test -x '$1'" 2>/dev/null; then
    echo "$1/pg"
  else
    mkdir -p /var/lib/postgresql/campus-live
    echo "/var/lib/postgresql/campus-live/$(printf %s "$1" | sha1sum | cut -c1-16)"
  fi
}

_docdb_usable() {
  _docdb_script >/dev/null || return 1
  # The first build installs Debian packages and the extension into PostgreSQL's directories.
  [ "$(id -u)" = 0 ] || [ -x "$DOCDB_CACHE/prefix/bin/ferretdb" ]
}

# private-mongo up|stop|kill DIR PORT: see the header. The cluster's own port is chosen once and kept
# in DIR (PostgreSQL's configuration holds it).
private_mongo() {
  local cmd="$1" dir="$2" port="$3"
  mkdir -p "$dir"
  chmod 755 "$dir" # the cluster runs as the postgres user
  [ -s "$dir/pg-port" ] || _free_port >"$dir/pg-port"
  local pg_port
  pg_port="$(cat "$dir/pg-port")"
  case "$cmd" in
    up)
      [ -f "$DOCDB_CACHE/prefix/bin/ferretdb" ] || _log "building FerretDB 2.5 + DocumentDB from $(dirname "$(_docdb_script)") (first run only, about 3 minutes)"
      _kill_ferretdb "$dir" # one left by a process that died
      _docdb up "$dir" "$pg_port" "$port" >/dev/null
      ;;
    stop) _docdb stop "$dir" "$pg_port" "$port" 2>/dev/null ;;
    kill)
      _kill_ferretdb "$dir"
      local pg_data
      pg_data="$(_pg_data "$dir")"
      if [ -f "$pg_data/postmaster.pid" ]; then
        su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D '$pg_data' -m immediate -w stop" >/dev/null 2>&1
      fi
      ;;
    *) _log "private-mongo: up, stop or kill"; return 2 ;;
  esac
}

_kill_ferretdb() {
  local pidfile="$1/ferretdb/ferretdb.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  fi
  rm -f "$pidfile"
}

_start_mongo() {
  if _docdb_usable; then
    local port dir="$SERVICES_DIR/mongo"
    port="$(_free_port)"
    private_mongo up "$dir" "$port" || { _log "FerretDB 2.5 + DocumentDB did not start"; return 1; }
    SERVICES_MONGO_DIR="$dir"
    export MONGO_URL="mongodb://127.0.0.1:$port/campus_live"
    _log "FerretDB 2.5 + DocumentDB on $MONGO_URL"
    return 0
  fi
  _log "no vendored FerretDB 2.5 + DocumentDB sources (shared/vendor/docdb, or CAMPUS_DOCDB_DIR) or no root to build them: starting mongodb-memory-server (downloads mongod on first use)"
  local urlfile="$SERVICES_DIR/mongo-url"
  node scripts/mongo-memory.js "$urlfile" >"$SERVICES_DIR/mongo-memory.log" 2>&1 &
  SERVICES_PIDS+=($!)
  local i
  for ((i = 0; i < 1200; i++)); do [ -s "$urlfile" ] && break; sleep 0.1; done
  [ -s "$urlfile" ] || { _log "mongodb-memory-server did not start (offline?): set MONGO_URL"; return 1; }
  export MONGO_URL="$(cat "$urlfile")"
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
  chmod 755 "$SERVICES_DIR"
  if [ -z "${MONGO_URL:-}" ]; then _start_mongo || return 1; fi
  if [ -z "${REDIS_URL:-}" ]; then _start_redis || return 1; fi
  export CAMPUS_SERVICES_DIR="$SERVICES_DIR"
}

services_down() {
  local pid
  for pid in "${SERVICES_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${SERVICES_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  SERVICES_PIDS=()
  if [ -n "$SERVICES_MONGO_DIR" ]; then
    private_mongo stop "$SERVICES_MONGO_DIR" 0 >/dev/null 2>&1
    SERVICES_MONGO_DIR=""
  fi
  [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}

# The stand-in for `npm start` and `npm run seed` when MONGO_URL is unset and mongod cannot be had
# (src/platform/mongo.ts starts it, and stops it with SIGTERM): kept in DIR between runs.
stand_in_mongo() {
  local dir="$1" port="$2"
  _docdb_usable || { _log "no vendored FerretDB 2.5 + DocumentDB sources (shared/vendor/docdb, or CAMPUS_DOCDB_DIR): set MONGO_URL"; return 1; }
  trap 'private_mongo stop "$dir" "$port"; exit 0' TERM INT
  private_mongo up "$dir" "$port" || return 1
  while _wait_port "$port" 1; do sleep 1 & wait $!; done
  private_mongo stop "$dir" "$port"
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    stand-in-mongo)
      [ $# -eq 3 ] || { echo "usage: bash scripts/services.sh stand-in-mongo DIR PORT" >&2; exit 2; }
      stand_in_mongo "$2" "$3" || exit 1
      ;;
    private-mongo)
      [ $# -eq 4 ] || { echo "usage: bash scripts/services.sh private-mongo up|stop|kill DIR PORT" >&2; exit 2; }
      private_mongo "$2" "$3" "$4" || exit 1
      ;;
    *)
      echo "usage: bash scripts/services.sh stand-in-mongo DIR PORT | private-mongo up|stop|kill DIR PORT (or source it for services_up / services_down)" >&2
      exit 2
      ;;
  esac
fi
