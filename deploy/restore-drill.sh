#!/usr/bin/env bash
# Restore drill: proves on this machine that a base backup plus the WAL archive bring the database back to the instant
# before a mistake, with every acknowledged write and the audit chain intact. It starts its own PostgreSQL (WAL
# archived by deploy/backup.sh) and a Release build of the API as the app role, then:
#   1. writes under load (bench/faults_load.py: values and status changes, each acknowledged write recorded with the
#      instant its answer arrived), and asks for a report, whose success signs an audit checkpoint;
#   2. takes a base backup while the writes go on, and asks for a second report (a second checkpoint);
#   3. notes the instant T (the database's clock) and makes the mistake: drops the service's schema, writes still running;
#   4. restores the base backup into a new cluster with recovery_target_time = T and starts the API on it;
#   5. checks: every write acknowledged before T is in the restored log (lost must be 0), GET /api/audit/verify is
#      valid, and the newest signed checkpoint (GET /api/audit/checkpoints) matches the restored chain at its sequence.
# Prints PASS/FAIL lines and the recovery time (from the start of the restore to the API answering on it); exits 1 on
# a failed check.
#
#   deploy/restore-drill.sh [LOAD_SECONDS]      default 45: the load runs that long, the mistake comes at two thirds
set -euo pipefail
name=restore-drill
source "$(dirname "$(readlink -f "$0")")/../bench/lib.sh"
seconds=${1:-45}

pg_start 56300
api_build
export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning
backups=$(realpath "$pgdir")-backups
on_exit "rm -rf '$backups' '$backups-restored'"
on_exit "deploy/postgres.sh stop '$backups-restored' >/dev/null 2>&1"

# Archiving on before the service starts (it restarts the server), then the schema and the least-privilege role.
deploy/backup.sh base "$pgdir" "$backups" >/dev/null 2>"$out/first-backup.log" || { cat "$out/first-backup.log" >&2; exit 1; }
api_migrate_app_role strategy_app drill_pw
# One checkpoint key for both APIs: the restored one must verify what the first one signed.
key=$out/checkpoint.pem
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$key"
chmod 644 "$key"
apiport=$(free_port 5480)
base="http://127.0.0.1:$apiport"
start_api() {  # name, connection string
  api_start "$1" "$apiport" ConnectionStrings__Strategy="$2" Database__ApplySchemaOnStartup=false Seed__DemoPlan=true \
    Jobs__Recurring=false Audit__CheckpointKeyFile="$key" RateLimits__WritesPerMinute=0 RateLimits__ReadsPerMinute=0
}
start_api api "$app_cs"
token() { ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token "$@"; }
sec=$(token --role secretariat --name "Restore drill secretariat")
rev=$(token --role reviewer --name "Restore drill reviewer")
plan=LMEC-2023-2027
for _ in $(seq 120); do curl -sf -o /dev/null -H "Authorization: Bearer $rev" "$base/api/plans/$plan" && break; sleep 0.5; done

report() {  # requests a progress report and waits for it (its success signs a checkpoint); prints its status
  local id
  id=$(curl -sf -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' -d "{\"kind\":\"progress\",\"plan\":\"$plan\"}" \
       "$base/api/reports" | json id)
  curl -sf -H "Authorization: Bearer $sec" "$base/api/reports/$id?wait=60" | json status
}

log "load for $seconds s (4 writers)..."
python3 bench/faults_load.py load --base "$base" --token "$sec" --plan "$plan" --prefix drill --seconds "$seconds" \
  --workers 4 --retry-seconds 0 --out "$out/load.json" 2>"$out/load.log" &
load_pid=$!
sleep "$(calc "$seconds / 6" 0)"
log "first report: $(report)"
basedir=$(deploy/backup.sh base "$pgdir" "$backups" 2>>"$out/backup.log") || { cat "$out/backup.log" >&2; exit 1; }
log "$(tail -n 1 "$out/backup.log")"
log "second report: $(report)"
sleep "$(calc "$seconds * 2 / 3 - $seconds / 6" 0)"

# The mistake, with writes in flight. T is the database's clock just before it; writes acknowledged before T committed
# before T (a write is acknowledged after its commit), the drop commits after T. The drop can lose a deadlock to the
# writes it races (the daemon, a write's row lock): then it rolled back, and is tried again with a new T.
for attempt in 1 2 3 4 5; do
  target=$(psql_ -c "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
  if psql_ -c "set client_min_messages = warning" -c "drop schema strategy cascade" 2>>"$out/mistake.log"; then break; fi
  log "the drop failed (attempt $attempt): $(tail -n 1 "$out/mistake.log")"
  [[ $attempt -lt 5 ]] || exit 1
done
target_epoch=$(psql_ -c "select extract(epoch from timestamptz '$target')")
log "T = $target; schema strategy dropped"
wait "$load_pid" || true
cat "$out/load.log" >&2
api_stop "$api_pid"
# The segment holding the drop (and so every commit before it) goes to the archive before the restore reads it.
segment=$(psql_ -c "select pg_walfile_name(pg_switch_wal())")
for _ in $(seq 120); do [[ -f "$backups/wal/$segment" ]] && break; sleep 0.5; done
[[ -f "$backups/wal/$segment" ]] || { log "segment $segment was not archived"; exit 1; }

# Recovery time: from here until the API answers on the restored database.
t0=$(now)
deploy/backup.sh restore "$basedir" "$backups/wal" "$backups-restored" "$target" 2>>"$out/backup.log"
rport=$(free_port $((pgport + 1)))
deploy/postgres.sh start "$backups-restored" "$rport" >/dev/null 2>>"$out/backup.log"
rpsql() { psql -h 127.0.0.1 -p "$rport" -U postgres -d strategy -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 600); do [[ $(rpsql -c "select pg_is_in_recovery()") == f ]] && break; sleep 0.1; done
start_api restored "${app_cs/Port=$pgport/Port=$rport}"
recovery_s=$(calc "$(now) - $t0" 1)
log "recovered in $recovery_s s"

fails=0
check() {  # description, condition (evaluated), figures
  if eval "$2"; then printf 'PASS  %s: %s\n' "$1" "$3"; else printf 'FAIL  %s: %s\n' "$1" "$3"; fails=$((fails + 1)); fi
}

# Every acknowledged write carries its key in its note; find each one acknowledged before T in the restored log.
rpsql -c "select data->>'note' from strategy.mt_events where type in ('value_submitted', 'commitment_status_changed') and data->>'note' like 'drill-%'" \
  >"$out/found.txt"
read -r acked before lost after_found < <(python3 - "$out/load.json" "$out/found.txt" "$target_epoch" <<'PY'
import json, sys
load = json.load(open(sys.argv[1])); found = set(open(sys.argv[2]).read().split()); t = float(sys.argv[3])
acked_at = {}
for t0, t1, status, ctype, error, key, attempt, replayed in load["attempts"]:
    if status is not None and 200 <= status < 300: acked_at[key] = t1
before = [k for k, at in acked_at.items() if at < t]
lost = [k for k in before if k not in found]
after_found = sum(1 for k, at in acked_at.items() if at >= t and k in found)
print(len(acked_at), len(before), len(lost), after_found)
PY
)
check "acknowledged writes before T restored" "[[ $lost -eq 0 && $before -gt 0 ]]" \
  "lost $lost of $before acknowledged before T ($acked acknowledged in all; $after_found of those acknowledged after T also present)"

rbase=$base
verify=$(curl -s -H "Authorization: Bearer $rev" "$rbase/api/audit/verify")
check "audit chain verifies" "[[ \$(json valid <<<'$verify') == True ]]" \
  "valid $(json valid <<<"$verify"), $(json eventsChecked <<<"$verify") events checked, $(json eventsPending <<<"$verify") pending, $(json checkpointsChecked <<<"$verify") checkpoints checked$(python3 -c 'import json,sys; v=json.load(sys.stdin); print("" if v.get("valid") else "; first broken %s: %s" % (v.get("firstBrokenSequence"), v.get("reason")))' <<<"$verify")"

checkpoint=$(curl -s -H "Authorization: Bearer $rev" "$rbase/api/audit/checkpoints?limit=1")
cp_seq=$(python3 -c 'import json,sys; c=json.load(sys.stdin); print(c[0]["sequence"] if c else "")' <<<"$checkpoint")
cp_hash=$(python3 -c 'import json,sys; c=json.load(sys.stdin); print(c[0]["hash"] if c else "")' <<<"$checkpoint")
at_hash=
if [[ -n "$cp_seq" ]]; then at_hash=$(curl -s -H "Authorization: Bearer $rev" "$rbase/api/audit/verify?upTo=$cp_seq" | json hash); fi
check "last signed checkpoint matches the restored chain" "[[ -n '$cp_seq' && '$cp_hash' == '$at_hash' ]]" \
  "checkpoint at sequence ${cp_seq:-none}, hash ${cp_hash:0:16}..., restored chain ${at_hash:0:16}..."

printf 'recovery time: %s s (restore of the base backup, WAL replay to T, API ready)\n' "$recovery_s"
printf 'restore-drill: %s\n' "$([[ $fails -eq 0 ]] && echo PASS || echo "FAIL ($fails)")"
[[ $fails -eq 0 ]]
