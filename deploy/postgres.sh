#!/usr/bin/env bash
# Local PostgreSQL for development and tests: one throwaway cluster per data directory,
# listening on 127.0.0.1 only, trust auth (never expose it).
#
#   deploy/postgres.sh start DIR PORT   init (if needed) + start + create database "strategy";
#                                       stdout: only the connection string (logs go to stderr)
#   deploy/postgres.sh stop DIR         fast stop; fine if not running
#   deploy/postgres.sh status DIR       stdout: connection string, exit 0 if running; exit 3 if not
#   deploy/postgres.sh install          install the server binaries if missing; stdout: bin dir
#   deploy/postgres.sh run BIN ARGS...  runs server binary BIN (pg_basebackup, psql, ...) as the server's user
#
# Environment: PG_BINDIR overrides the detected /usr/lib/postgresql/<highest>/bin.
set -euo pipefail

DB_NAME=strategy

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Highest installed major version wins, so a machine with several versions behaves predictably.
find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "$PG_BINDIR/pg_ctl" ]] || die "PG_BINDIR=$PG_BINDIR has no pg_ctl"
    echo "$PG_BINDIR"; return 0
  fi
  local v
  v=$(ls -1 /usr/lib/postgresql 2>/dev/null | grep -E '^[0-9]+(\.[0-9]+)?$' | sort -V | tail -n 1 || true)
  if [[ -n "$v" && -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]]; then
    echo "/usr/lib/postgresql/$v/bin"; return 0
  fi
  return 1
}

# A fresh machine has no server; apt needs root, so say what to do otherwise.
ensure_installed() {
  if BINDIR=$(find_bindir); then return 0; fi
  [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries not found; run as root or: sudo apt-get install -y postgresql"
  log "installing postgresql (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q postgresql; } >&2
  BINDIR=$(find_bindir) || die "postgresql installed but no /usr/lib/postgresql/<version>/bin/pg_ctl found"
}

# PostgreSQL refuses to run as root, so as root every server-side command runs as "postgres".
# cd / first: the caller's cwd (e.g. the repo) may not be readable by postgres.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# True when the postgres user can reach (search) PATH; root can always, postgres may not.
pg_can_reach() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- test -x "$1")
  else
    test -x "$1"
  fi
}

# Resolve DIR to the absolute path the server will use (sets DATA).
# As root, the server runs as "postgres", which may be unable to traverse DIR's parents
# (e.g. a repo under a 0700 home). We do not loosen permissions on directories we don't own;
# instead the cluster lives in /var/tmp/strategy-pg-<hash of DIR> and DIR becomes a symlink to it.
resolve_datadir() {
  local dir=$1 abs parent
  abs=$(realpath -m -- "$dir")           # follows an existing symlink from an earlier fallback
  parent=$(dirname -- "$abs")
  mkdir -p -- "$parent"
  if [[ $EUID -eq 0 ]] && ! pg_can_reach "$parent"; then
    if [[ -e "$abs" ]]; then
      die "$abs exists but user postgres cannot reach it; remove it (it will be re-created as a symlink) or pick another DIR"
    fi
    local hash alt
    hash=$(printf '%s' "$abs" | sha256sum | cut -c1-12)
    alt=/var/tmp/strategy-pg-$hash
    mkdir -p -- "$alt"
    ln -s -- "$alt" "$abs"
    log "postgres cannot traverse $parent; cluster kept in $alt (symlinked from $abs)"
    abs=$alt
  fi
  DATA=$abs
}

# Data dir must be owned by the server user with 0700, or initdb/postgres refuse it.
prepare_datadir() {
  mkdir -p -- "$DATA"
  if [[ $EUID -eq 0 ]]; then chown postgres:postgres -- "$DATA"; fi
  chmod 700 -- "$DATA"
}

is_running() {
  [[ -f "$DATA/PG_VERSION" ]] || return 1
  as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

# The port the running server actually uses (line 4 of postmaster.pid), which may differ from
# the PORT asked for when the cluster was already started earlier.
running_port() {
  sed -n '4p' "$DATA/postmaster.pid"
}

conn_string() {
  echo "Host=127.0.0.1;Port=$1;Database=$DB_NAME;Username=postgres"
}

# Creating the database is separate from initdb so a cluster whose database was dropped heals itself.
ensure_database() {
  local port=$1 exists
  exists=$(as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAq \
             -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [[ "$exists" != "1" ]]; then
    log "creating database $DB_NAME"
    as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME" >&2
  fi
}

cmd_start() {
  local dir=${1:-} port=${2:-}
  [[ -n "$dir" && -n "$port" ]] || usage
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
  ensure_installed
  resolve_datadir "$dir"

  if is_running; then
    local actual
    actual=$(running_port)
    [[ "$actual" == "$port" ]] || log "already running on port $actual (not $port); using $actual"
    ensure_database "$actual"
    conn_string "$actual"
    return 0
  fi

  prepare_datadir
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    log "initdb $DATA"
    # initdb is chatty; show its output only when it fails.
    local out
    if ! out=$(as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 2>&1); then
      echo "$out" >&2
      die "initdb failed"
    fi
  fi

  # Socket in the data dir (-k) avoids needing /var/run/postgresql; clients use TCP on loopback.
  # Unix socket paths are limited to ~107 bytes, so a deep DIR gets no socket at all.
  local sockdir=$DATA
  if (( ${#DATA} + 20 > 107 )); then sockdir=; log "data path too long for a Unix socket; TCP only"; fi
  log "starting on 127.0.0.1:$port (log: $DATA/server.log)"
  if ! as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k '$sockdir'" start >&2; then
    log "start failed; last lines of $DATA/server.log:"
    tail -n 20 "$DATA/server.log" >&2 || true
    exit 1
  fi
  ensure_database "$port"
  conn_string "$port"
}

cmd_stop() {
  local dir=${1:-}
  [[ -n "$dir" ]] || usage
  if [[ ! -e "$dir" ]]; then log "not running ($dir does not exist)"; return 0; fi
  BINDIR=$(find_bindir) || { log "not running (no PostgreSQL installed)"; return 0; }
  DATA=$(realpath -- "$dir")
  if is_running; then
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2
  else
    log "not running ($DATA)"
  fi
}

cmd_status() {
  local dir=${1:-}
  [[ -n "$dir" ]] || usage
  if [[ ! -e "$dir" ]]; then log "not running ($dir does not exist)"; exit 3; fi
  BINDIR=$(find_bindir) || { log "not running (no PostgreSQL installed)"; exit 3; }
  DATA=$(realpath -- "$dir")
  if is_running; then
    local port
    port=$(running_port)
    log "running: pid $(sed -n '1p' "$DATA/postmaster.pid"), port $port, data $DATA"
    conn_string "$port"
  else
    log "not running ($DATA)"
    exit 3
  fi
}

case "${1:-}" in
  start)   shift; cmd_start "$@" ;;
  stop)    shift; cmd_stop "$@" ;;
  status)  shift; cmd_status "$@" ;;
  install) ensure_installed; echo "$BINDIR" ;;
  run)     shift; [[ $# -ge 1 ]] || usage; ensure_installed; bin=$1; shift; as_pg "$BINDIR/$bin" "$@" ;;
  *)       usage ;;
esac
