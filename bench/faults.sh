#!/usr/bin/env bash
# Database outage under write load: no acknowledged write is lost, no retry doubles one, and the API answers
# quickly with 503 while PostgreSQL is down and serves again, without a restart, once it is back.
#
#   bench/faults.sh [--rounds 3] [--seconds-down 10] [--workers 8]
#
# Starts its own PostgreSQL and a Release build of the API (demo plan loaded). Each round runs write load from
# bench/faults_load.py (WORKERS threads, distinct commitments each, every write with a unique Idempotency-Key that
# it also puts in the note, retried with the same key and body on 5xx, timeouts and connection errors) and, during
# the load, stops PostgreSQL abruptly (pg_ctl stop -m immediate) for SECONDS-DOWN seconds, then starts it again.
# After the load it checks:
#   1. while the database was down, every error answer was a 503 problem document, none slower than 5 s, and
#      no 5xx other than 503 came at all;
#   2. the same API process serves again: /health/ready answers 200, writes are acknowledged, and a report job
#      (Hangfire) requested after the restart succeeds;
#   3. every acknowledged write is in the event log exactly once (mt_events searched for the key in the note of the
#      event that records the write: value_submitted or commitment_status_changed; the secretariat's value is followed
#      by its value_accepted, which carries no note and is not counted, but must be there);
#   4. GET /api/audit/verify is valid once the async daemon has chained every event (eventsPending 0).
# One line per round on stdout:
#   round R: acknowledged A, found F, lost L, duplicated D, 5xx-other X, down-responses N (max latency M ms), verify valid
# with details on stderr. Exits 1 if any round failed a check. Stops everything it started.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

rounds=3 seconds_down=10 workers=8
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --seconds-down) seconds_down=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    *) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[0-9]+$ && "$seconds_down" =~ ^[0-9]+$ && "$workers" =~ ^[0-9]+$ ]] || { echo "faults.sh: numbers expected" >&2; exit 2; }
seconds_before=8    # load before the stop
seconds_after=15    # load after the restart
plan=LMEC-2023-2027

name=faults.sh
KEEP=${KEEP:-${KEEP_OUTPUT:+1}}
source "$(dirname "$(readlink -f "$0")")/lib.sh"
load_pid=
on_exit '[[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null'

pg_start 56200
cs=$owner_cs
apiport=$(free_port 5280)
base=http://127.0.0.1:$apiport
bindir=$(deploy/postgres.sh install)
data=$(realpath "$pgdir")
# The abrupt stop: every backend is killed at once, nothing is flushed beyond what was committed (crash recovery
# at the next start). PostgreSQL refuses to run as root, so as root the server's user runs pg_ctl.
pg_crash() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$bindir/pg_ctl" -D "$data" -m immediate -w stop) >&2
  else
    "$bindir/pg_ctl" -D "$data" -m immediate -w stop >&2
  fi
}

api_build
# No rate limits: the load client writes far more than a person does, and the point is the outage, not the limit.
export ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Strategy="$cs" Seed__DemoPlan=true Logging__LogLevel__Default=Warning \
  RateLimits__WritesPerMinute=0 RateLimits__ReportsPerMinute=0 RateLimits__ReadsPerMinute=0
api_start api "$apiport"
sec=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role secretariat --name "Faults bench")
rev=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role reviewer --name "Faults bench reviewer")
get() { curl -s -m 30 -H "Authorization: Bearer $rev" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
log "API pid $api_pid on $base, PostgreSQL on port $pgport; $rounds round(s), $seconds_down s down, $workers workers"

# The verify answer once the daemon has chained everything (bounded); "valid", or what was wrong.
verify_after_catch_up() {
  local v pending
  for _ in $(seq 240); do
    v=$(get "$base/api/audit/verify" || true)
    pending=$(json 'd["eventsPending"]' <<<"$v" 2>/dev/null || echo '?')
    [[ "$pending" == 0 ]] && break
    sleep 0.5
  done
  if [[ "$pending" != 0 ]]; then echo "pending-$pending"; return; fi
  if [[ $(json 'd["valid"]' <<<"$v") == True ]]; then echo valid
  else echo "INVALID-at-$(json 'd["firstBrokenSequence"]' <<<"$v")"; log "verify: $v"; fi
}

# A report requested after the restart runs through Hangfire to succeeded (the job server resumed).
report_job() {
  local id status
  id=$(curl -s -m 30 -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' \
         -d "{\"kind\":\"progress\",\"plan\":\"$plan\"}" "$base/api/reports" | json 'd["id"]' 2>/dev/null) || { echo "not-accepted"; return; }
  status=$(get "$base/api/reports/$id?wait=60" | json 'd["status"]' 2>/dev/null) || status=unreadable
  echo "$status"
}

failed=0
run=$(date +%s)
for round in $(seq "$rounds"); do
  prefix="faults-$run-r$round"
  python3 bench/faults_load.py load --base "$base" --token "$sec" --plan "$plan" --prefix "$prefix" --workers "$workers" \
    --seconds $((seconds_before + seconds_down + seconds_after)) --out "$out/load-$round.json" &
  load_pid=$!
  sleep "$seconds_before"

  down_at=$(now)
  pg_crash
  log "round $round: PostgreSQL stopped (immediate)"
  sleep "$seconds_down"
  deploy/postgres.sh start "$pgdir" "$pgport" >/dev/null
  up_at=$(now)
  log "round $round: PostgreSQL started again after $(awk "BEGIN { printf \"%.1f\", $up_at - $down_at }") s"
  ready=
  for _ in $(seq 120); do
    if curl -sf -m 5 -o /dev/null "$base/health/ready"; then ready=$(now); break; fi
    sleep 0.25
  done
  if [[ -n "$ready" ]]; then log "round $round: /health/ready 200 $(awk "BEGIN { printf \"%.1f\", $ready - $up_at }") s after the start"
  else log "round $round: FAILED: /health/ready not 200 within 30 s of the start"; failed=1; fi

  wait "$load_pid" || { log "round $round: the load client failed"; failed=1; }
  load_pid=
  kill -0 "$api_pid" 2>/dev/null || { log "the API process died"; tail -n 40 "$out/api.log" >&2; exit 1; }

  # key|writes|submissions without their acceptance. A write is counted by the event that carries its note (a value's
  # submission or a status change), never by its value_accepted, so a value's two events are one write.
  psql_ -c "with w as (select seq_id, stream_id, type, data->>'note' as note, data->>'valueId' as value_id from strategy.mt_events
                       where type in ('value_submitted', 'commitment_status_changed') and data->>'note' like '$prefix-%'),
                 a as (select seq_id, stream_id, data->>'valueId' as value_id from strategy.mt_events where type = 'value_accepted')
            select w.note, count(distinct w.seq_id), count(distinct w.seq_id) filter (where w.type = 'value_submitted' and a.seq_id is null)
            from w left join a on a.value_id = w.value_id and a.stream_id = w.stream_id and a.seq_id > w.seq_id group by 1" >"$out/found-$round.txt"
  verify=$(verify_after_catch_up)
  job=$(report_job)
  if [[ "$job" != succeeded ]]; then log "round $round: FAILED: the report job after the restart ended $job"; failed=1
  else log "round $round: a report job requested after the restart succeeded"; fi
  python3 bench/faults_load.py report --load "$out/load-$round.json" --found "$out/found-$round.txt" \
    --down-at "$down_at" --up-at "$up_at" --round "$round" --verify "$verify" || failed=1
done

exit "$failed"
