#!/usr/bin/env bash
# What the service's database role (deploy/app-role.sql) may do to the event log and the audit chain, tried for real.
#
#   deploy/check-app-role.sh            KEEP=1 keeps the logs and the data (paths printed)
#
# Starts a throwaway PostgreSQL (bench/lib.sh), builds the API, applies the schema as the owner with the app role
# (`migrate --app-role`, twice: re-applying it must work), and runs the API as that role with the demo plan loaded
# (its events are appended by the service itself, as the app role) plus one write through the HTTP API. Then, as the
# app role, straight in SQL, it tries to append history that never happened (a backdated or future-dated event, an
# event at a sequence number of its choosing, by INSERT and by COPY), to change or remove stored events, to move the
# events' sequence, and to switch the guard off. Each attempt prints one line, REFUSED (with PostgreSQL's error) or
# ALLOWED. The chain's own tables stay writable (the app role runs the daemon that writes them): a rewrite of a link
# is ALLOWED, and `GET /api/audit/verify` must then name that link as where the chain breaks (DETECTED).
#
# Exit status: 1 if any attempt on mt_events or its sequence was ALLOWED, or the rewritten link went undetected.
name=check-app-role
source "$(dirname "$(readlink -f "$0")")/../bench/lib.sh"

pg_start 56400
api_build
export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning
# A key of this run's own, for the API and the tokens alike.
key=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
role=strategy_app
api_migrate_app_role "$role" check_app_role_pw
api_migrate_app_role "$role" check_app_role_pw
log "schema and app role applied twice (as after each migration)"
failed=0
# The tolerance migrate wrote into the guard (AuditClock.Tolerance).
tolerance=$(psql_ -c "select substring(prosrc from 'secs => ([0-9]+)') from pg_proc where proname = 'app_event_guard'")
if [[ -z $tolerance ]]; then log "the database has no app_event_guard function: deploy/app-role.sql put no guard on mt_events"; tolerance=0; failed=1; fi
apiport=$(free_port 5380)
base=http://127.0.0.1:$apiport
api_start api "$apiport" ConnectionStrings__Strategy="$app_cs" Database__ApplySchemaOnStartup=false Seed__DemoPlan=true \
  Auth__SigningKey="$key"
token() { Auth__SigningKey="$key" dotnet "$dll" token "$@"; }
rev=$(token --role reviewer --name "Check reviewer")
sec=$(token --role secretariat --name "Check secretariat")

psql_app() { psql -h 127.0.0.1 -p "$pgport" -U "$role" -d strategy -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -qAt "$@"; }
verify() { curl -sf -H "Authorization: Bearer $rev" "$base/api/audit/verify"; }
field() { json "$@" <<<"$verified"; }

# The demo plan is loaded in the background; wait for it, then for the daemon to chain every event.
for _ in $(seq 240); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $rev" "$base/api/plans/LMEC-2023-2027") == 200 ]] && break
  sleep 0.5
done
commitment=$(curl -sf -H "Authorization: Bearer $rev" "$base/api/plans/LMEC-2023-2027/commitments?country=KH&limit=1" \
  | python3 -c 'import json,sys; v=json.load(sys.stdin); print((v["items"] if isinstance(v, dict) else v)[0]["id"])')
wrote=$(curl -s -o "$out/write.json" -w '%{http_code}' -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' \
  -d '{"status":"on-hold","note":"Written through the API as the app role"}' "$base/api/commitments/$commitment/status")
[[ $wrote == 200 ]] || { log "the write through the API got $wrote: $(cat "$out/write.json")"; exit 1; }
wait_chained() {
  for _ in $(seq 240); do
    verified=$(verify) && [[ $(field eventsPending) == 0 && $(field valid) == True ]] && return 0
    sleep 0.5
  done
  log "the chain did not catch up: $verified"; return 1
}
wait_chained
events=$(psql_ -c "select count(*) from strategy.mt_events")
some=$(psql_ -c "select seq_id from strategy.mt_events order by seq_id offset (select count(*) / 2 from strategy.mt_events) limit 1")
log "$events events, all chained; the attempts copy event $some"

line() { printf '%-22s %-58s %s\n' "$1" "$2" "$3"; }
# attempt GUARDED TARGET WHAT SQL: GUARDED=1 for what must be refused (an ALLOWED fails the check). SQL is run as a
# script, so it may carry COPY data; it stops at the first error.
attempt() {
  local guarded=$1 target=$2 what=$3 sql=$4 err
  if err=$(psql_app -f - 2>&1 >/dev/null <<<"$sql"); then
    line "$target" "$what" ALLOWED
    if [[ $guarded == 1 ]]; then failed=1; fi
  else
    line "$target" "$what" "REFUSED  $(grep -m 1 -o 'ERROR:.*' <<<"$err" | sed 's/^ERROR: *//')"
  fi
}
# An insert is tried in a transaction rolled back, so one that is allowed leaves nothing behind.
columns="seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name"
forged() {
  echo "begin; insert into strategy.mt_events ($columns) select $1, gen_random_uuid(), stream_id, version + 1000, data, type, $2," \
    "tenant_id, mt_dotnet_type, '{\"actor-name\": \"Someone Else\"}', 'fp-kh' from strategy.mt_events where seq_id = $some; rollback;"
}
next="nextval('strategy.mt_events_sequence')"
last=$(psql_ -c "select last_value from strategy.mt_events_sequence")

line mt_events "append through the API (the service, as $role)" "ALLOWED  $wrote"
if psql_ -c "$(forged 1000000 "clock_timestamp() - interval '1 year'")"; then
  line mt_events "as the owner: insert backdated 1 year at sequence 1000000" "ALLOWED  (migrations, bench/sql/history.sql)"
else line mt_events "as the owner: insert backdated 1 year at sequence 1000000" "REFUSED"; failed=1; fi
attempt 1 mt_events "insert backdated 1 hour, as fp-kh (fresh sequence)" "$(forged "$next" "clock_timestamp() - interval '1 hour'")"
attempt 1 mt_events "insert backdated $((tolerance + 1)) s (tolerance $tolerance s)" "$(forged "$next" "clock_timestamp() - interval '$((tolerance + 1)) seconds'")"
attempt 1 mt_events "insert dated 1 hour ahead" "$(forged "$next" "clock_timestamp() + interval '1 hour'")"
attempt 1 mt_events "insert at explicit sequence $((last + 1)) (none drawn)" "$(forged "$((last + 1))" "clock_timestamp()")"
attempt 1 mt_events "insert at explicit sequence (one after the drawn)" \
  "select nextval('strategy.mt_events_sequence'); $(forged "currval('strategy.mt_events_sequence') + 1" "clock_timestamp()")"
row=$(psql_ -c "copy (select last_value + 1000, gen_random_uuid(), e.stream_id, e.version + 1000, e.data, e.type, clock_timestamp() - interval '1 hour',
  e.tenant_id, e.mt_dotnet_type, e.headers, 'fp-kh' from strategy.mt_events e, strategy.mt_events_sequence where e.seq_id = $some) to stdout (format csv)")
attempt 1 mt_events "COPY in an event backdated 1 hour" "begin;
copy strategy.mt_events ($columns) from stdin (format csv);
$row
\\.
rollback;"
attempt 1 mt_events "update an event's data" "update strategy.mt_events set data = jsonb_set(data, '{note}', '\"tampered\"') where seq_id = $some"
attempt 1 mt_events "update an event's user and timestamp" "update strategy.mt_events set user_name = 'fp-kh', timestamp = timestamp - interval '1 day' where seq_id = $some"
attempt 1 mt_events "delete an event" "delete from strategy.mt_events where seq_id = $some"
attempt 1 mt_events "truncate" "truncate strategy.mt_events"
attempt 1 mt_events "disable the guard trigger" "alter table strategy.mt_events disable trigger app_event_guard"
attempt 1 mt_events "session_replication_role = replica (skips triggers)" "set session_replication_role = replica"
attempt 1 mt_events_sequence "setval back to 1" "select setval('strategy.mt_events_sequence', 1)"
attempt 1 mt_events_sequence "setval ahead by 1000" "select setval('strategy.mt_events_sequence', $((last + 1000)))"
attempt 1 mt_events_sequence "alter sequence restart" "alter sequence strategy.mt_events_sequence restart with 1"
[[ $(psql_ -c "select count(*) from strategy.mt_events") == "$events" ]] || { log "the event count changed"; failed=1; }

# The chain's tables: writable by the app role (its daemon writes them), so rewrites are allowed. A link is the hash
# of its event and all before it: a rewritten one no longer matches what verify recomputes from the events.
summary() { verified=$(verify); local v; v=$(field valid); echo "valid=${v,,}, checked $(field eventsChecked) of $events, pending $(field eventsPending)"; }
link=$(psql_ -c "select data->>'hash' from strategy.mt_doc_auditlink where id = $some")
attempt 0 mt_doc_auditlink "rewrite the hash of event $some's link" \
  "update strategy.mt_doc_auditlink set data = jsonb_set(data, '{hash}', '\"$(printf '0%.0s' $(seq 64))\"') where id = $some"
verified=$(verify)
if [[ $(field valid) == False && $(field firstBrokenSequence) == "$some" ]]; then
  line "" "  then verify" "DETECTED  valid=false, broken at $some: $(field reason)"
else
  line "" "  then verify" "NOT DETECTED  $verified"; failed=1
fi
psql_app -c "update strategy.mt_doc_auditlink set data = jsonb_set(data, '{hash}', '\"$link\"') where id = $some"
line "" "  link put back, then verify" "$(summary)"

# The head says how far the chain reaches (verify checks the links up to it); the progression is the daemon's
# position. Both are put back after the attempt.
head=$(psql_ -c "select data from strategy.mt_doc_auditchainhead")
attempt 0 mt_doc_auditchainhead "move the head back to sequence 0" \
  "update strategy.mt_doc_auditchainhead set data = jsonb_set(data, '{sequence}', '0')"
line "" "  then verify" "NOT FLAGGED  $(summary) (verify checks up to the head)"
psql_app -c "update strategy.mt_doc_auditchainhead set data = '$head'"
progression=$(psql_ -c "select last_seq_id from strategy.mt_event_progression where name = 'AuditChain:All'")
attempt 0 mt_event_progression "move the chain daemon's position back to 0" \
  "update strategy.mt_event_progression set last_seq_id = 0 where name = 'AuditChain:All'"
line "" "  then verify" "unchanged  $(summary)"
psql_app -c "update strategy.mt_event_progression set last_seq_id = $progression where name = 'AuditChain:All'"

if [[ $failed == 0 ]]; then log "PASS: every attempt on mt_events and its sequence refused, the rewritten link detected"
else log "FAIL: see the lines above"; fi
exit $failed
