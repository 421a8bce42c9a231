#!/usr/bin/env bash
# Backups of a local cluster started by deploy/postgres.sh (run.sh's is .data/pg): a base backup plus the WAL archived
# since, which together restore the database as it was at any instant after the base backup (point-in-time recovery).
#
#   deploy/backup.sh [base] [DATA [BACKUPS]]   turns WAL archiving on (restarting the server once, the first time) into
#                                              BACKUPS/wal, then takes a base backup into BACKUPS/base/<UTC time>;
#                                              stdout: the base backup's directory.
#                                              DATA defaults to .data/pg, BACKUPS to DATA's real path + "-backups"
#   deploy/backup.sh restore BASE WAL TARGET [TIME]
#                                              makes TARGET (a new data directory) a copy of base backup BASE that, once
#                                              started (deploy/postgres.sh start TARGET PORT), replays the WAL in WAL up
#                                              to TIME (e.g. '2026-12-02 10:15:00.123+00'; the end of the archive when
#                                              omitted) and then opens for writes. Its own archiving is off.
#
# The server runs as the postgres user when this runs as root, so BACKUPS must be a place that user can write.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
pg=deploy/postgres.sh

log() { echo "backup.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
as_server() { if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

port_of() { "$pg" status "$1" | sed -n 's/.*Port=\([0-9]*\);.*/\1/p'; }
sql() { "$pg" run psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -XqAt -v ON_ERROR_STOP=1 -c "$2"; }

# WAL archiving into $2: a segment is copied there once it is full (or switched), never over an existing file.
archive_on() {
  local data=$1 wal=$2 port
  port=$(port_of "$data") || die "the cluster in $data is not running (deploy/postgres.sh start $data PORT)"
  as_server mkdir -p "$wal"
  local command="test ! -f '$wal/%f' && cp '%p' '$wal/%f'"
  if [[ $(sql "$port" "show archive_mode") == on && $(sql "$port" "show archive_command") == "$command" ]]; then return 0; fi
  sql "$port" "alter system set wal_level = 'replica'"
  sql "$port" "alter system set archive_mode = 'on'"
  sql "$port" "alter system set archive_command = \$\$$command\$\$"
  # A quiet database still closes a segment at least this often, bounding what an unarchived segment can lose.
  sql "$port" "alter system set archive_timeout = '60s'"
  log "WAL archiving into $wal; restarting the server once (archive_mode needs it)"
  "$pg" stop "$data" >/dev/null
  "$pg" start "$data" "$port" >/dev/null
}

cmd_base() {
  local data=${1:-.data/pg} backups=${2:-}
  [[ -e "$data" ]] || die "no cluster at $data"
  data=$(realpath "$data")
  backups=${backups:-$data-backups}
  archive_on "$data" "$backups/wal"
  local port dir t0
  port=$(port_of "$data")
  dir=$backups/base/$(date -u +%Y%m%dT%H%M%S.%NZ)
  as_server mkdir -p "$dir"
  t0=$(date +%s.%N)
  # Plain format (a data directory as is), WAL needed for consistency streamed into it, checkpoint at once.
  "$pg" run pg_basebackup -h 127.0.0.1 -p "$port" -U postgres -D "$dir" -Fp -X stream -c fast --no-password >&2
  log "base backup $dir: $(du -sh "$dir" | cut -f1) in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
  echo "$dir"
}

cmd_restore() {
  local base=${1:-} wal=${2:-} target=${3:-} time=${4:-}
  [[ -n "$base" && -n "$wal" && -n "$target" ]] || usage
  [[ -f "$base/PG_VERSION" ]] || die "$base is not a base backup"
  [[ ! -e "$target" ]] || die "$target exists; restore into a new directory"
  mkdir -p "$(dirname "$target")"
  cp -a "$base" "$target"
  if [[ $EUID -eq 0 ]]; then chown -R postgres:postgres "$target"; fi
  chmod 700 "$target"
  rm -f "$target/postmaster.pid" "$target/server.log"
  {
    echo "restore_command = 'cp \"$wal/%f\" \"%p\"'"
    if [[ -n "$time" ]]; then echo "recovery_target_time = '$time'"; fi
    echo "recovery_target_action = 'promote'"
    # The copy must not add its own timeline's segments to the archive it restores from.
    echo "archive_mode = 'off'"
  } >>"$target/postgresql.auto.conf"
  touch "$target/recovery.signal"
  if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$target/recovery.signal" "$target/postgresql.auto.conf"; fi
  log "restore prepared in $target${time:+ (to $time)}; start it with deploy/postgres.sh start $target PORT"
}

case "${1:-base}" in
  base)    [[ $# -gt 0 ]] && shift; cmd_base "$@" ;;
  restore) shift; cmd_restore "$@" ;;
  -h|--help) usage ;;
  *)       cmd_base "$@" ;;
esac
