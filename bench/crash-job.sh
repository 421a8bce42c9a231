#!/usr/bin/env bash
# Crash during a report job: the API process is killed (SIGKILL) while a report job runs; after a restart the report
# completes exactly once, with the same content hash as a clean run of the same request over the same events.
#
#   bench/crash-job.sh [EVENTS]        (default 300000)
#
# Starts its own PostgreSQL and a Release build of the API (schema applied by `migrate` as the owner, the service
# running as the least-privilege role, demo plan loaded). Appends EVENTS events to the demo plan's commitments by SQL:
# values the secretariat recorded, each a value_submitted followed by its value_accepted (as the API stores them; a
# value accepted for a date that already had one names it in `replaces`), so that an as-of report (which folds every
# event up to its instant, and counts accepted values) runs for several seconds. Then:
#   1. a clean run:      an as-of progress report at a fixed instant T, computed without interruption;
#   2. the crashed run:  the same request; once GET /api/reports/{id} says "running", the API gets SIGKILL mid-run;
#                        the API is started again, and the script waits (bounded) for the report to succeed;
#   3. a clean run after the recovery, same request again.
# Checks: the crashed run had started and not finished when killed; it succeeded after the restart with exactly one
# report-succeeded event in its stream (counted in mt_events) and one Succeeded state in Hangfire; its content hash
# (and the SHA-256 of the content it serves) equals both clean runs'; the audit chain is valid.
#
# Hangfire hands a job whose node died to another worker once Jobs:InvisibilityTimeoutSeconds has passed since the
# dead node last renewed it; the script runs the API with INVISIBILITY seconds (default 15; the service's default is
# 300). Environment: INVISIBILITY, KEEP=1 keeps the data and logs (paths printed).
name=crash-job
source "$(dirname "$(readlink -f "$0")")/lib.sh"
events=${1:-300000}
invisibility=${INVISIBILITY:-15}

api_pid=
pg_start 56200
apiport=$(free_port 5280)
base=http://127.0.0.1:$apiport

api_build
export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning
api_migrate_app_role strategy_app crash_bench_pw
app_cs="$app_cs;Application Name=strategy-crash-bench"

start_api() {
  api_start api "$apiport" ConnectionStrings__Strategy="$app_cs" Database__ApplySchemaOnStartup=false Seed__DemoPlan=true \
    Jobs__InvisibilityTimeoutSeconds="$invisibility" RateLimits__ReadsPerMinute=0
}

sec=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role secretariat --name "Crash bench secretariat")
rev=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role reviewer --name "Crash bench reviewer")
get() { curl -sf -H "Authorization: Bearer $rev" "$@"; }

t=$(now); start_api; log "API ready in $(calc "$(now) - $t") s (pid $api_pid)"
for _ in $(seq 120); do get -o /dev/null "$base/api/plans/LMEC-2023-2027" && break; sleep 0.5; done

log "appending $events events..."
# Event g (from 1) belongs to value j = (g + 1) / 2: odd g its value_submitted, even g its value_accepted. Value j goes
# to commitment j % total, as its k-th value (k = j / total), dated 2023-01-01 + k % 1400 days (all in the past), so
# the value total * 1400 before it on the same commitment has the same date: the acceptance names that one in
# `replaces`, as the service does. Value ids are derived from j, so a batch can name a value of an earlier batch.
# In batches of at most 20000 (even, so a value's two events share a batch), each committed at once: while a long
# insert is open the daemon sees a gap in the sequence, and Marten gives up waiting for a gap after about 25 s.
# `order by g`: PostgreSQL evaluates nextval after the sort, so sequence numbers follow g (a submission before its
# acceptance).
for ((done_ = 0; done_ < events; done_ += 20000)); do
  n=$(( events - done_ < 20000 ? events - done_ : 20000 ))
  psql_ <<SQL
with c as (select id, row_number() over (order by id) - 1 as n, count(*) over () as total from strategy.mt_doc_commitmentview),
v as (select g, (g + 1) / 2 as j, g % 2 = 1 as submitted from generate_series($((done_ + 1)), $((done_ + n))) g),
x as (select v.*, c.id as cid, c.total, (v.j / c.total) as k,
             md5('crash-job value ' || v.j)::uuid as value_id, (date '2023-01-01' + ((v.j / c.total) % 1400)::int)::text as as_of
      from v join c on c.n = v.j % c.total)
insert into strategy.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id, causation_id)
select nextval('strategy.mt_events_sequence'), gen_random_uuid(), cid, 100 + g,
       case when submitted then
         jsonb_build_object('commitmentId', cid, 'valueId', value_id, 'value', j % 1000, 'asOf', as_of, 'round', null, 'late', false,
                            'supersedes', null, 'note', 'crash bench ' || j, 'evidence', '[]'::jsonb, 'evidenceUrl', null)
       else
         jsonb_build_object('commitmentId', cid, 'valueId', value_id, 'asOf', as_of, 'value', j % 1000, 'note', null,
                            'replaces', case when j > total * 1400 then jsonb_build_object('valueId', md5('crash-job value ' || (j - total * 1400))::uuid,
                                                                                     'asOf', as_of, 'value', (j - total * 1400) % 1000) end)
       end,
       case when submitted then 'value_submitted' else 'value_accepted' end, now(), '*DEFAULT*',
       case when submitted then 'Strategy.Domain.Commitments.ValueSubmitted, Strategy.Domain' else 'Strategy.Domain.Commitments.ValueAccepted, Strategy.Domain' end,
       '{"actor-name": "Crash bench secretariat", "actor-role": "secretariat"}'::jsonb, 'secretariat', 'bench', 'bench'
from x order by g;
SQL
done
psql_ -c "update strategy.mt_streams s set version = (select max(version) from strategy.mt_events e where e.stream_id = s.id)"
# Every acceptance follows its own submission on the same stream, and names as replaced only an accepted value.
read -r accepted misordered bad_replaces < <(psql_ -F ' ' -c "
  with s as (select data->>'valueId' as v, stream_id, seq_id from strategy.mt_events where type = 'value_submitted' and correlation_id = 'bench'),
       a as (select data->>'valueId' as v, data->'replaces'->>'valueId' as r, stream_id, seq_id from strategy.mt_events where type = 'value_accepted' and correlation_id = 'bench')
  select count(*), count(*) filter (where s.seq_id is null or s.seq_id > a.seq_id or s.stream_id <> a.stream_id),
         count(*) filter (where a.r is not null and (p.seq_id is null or p.seq_id > a.seq_id or p.stream_id <> a.stream_id))
  from a left join s on s.v = a.v left join a p on p.v = a.r")
log "appended: $accepted values accepted; out of order $misordered, bad replaces $bad_replaces"
(( misordered == 0 && bad_replaces == 0 )) || { echo "crash-job: FAIL (the appended events are not a valid history)"; exit 1; }
# The audit chain catches up first, so the runs below measure the report alone.
t=$(now)
for _ in $(seq 1200); do
  chained=$(psql_ -c "select coalesce((select (data->>'sequence')::bigint from strategy.mt_doc_auditchainhead), 0) >= (select max(seq_id) from strategy.mt_events)")
  [[ "$chained" == t ]] && break; sleep 0.5
done
log "audit chain caught up in $(calc "$(now) - $t") s"
sleep 1
as_of=$(psql_ -c "select to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
sleep 1
body="{\"kind\":\"progress\",\"plan\":\"LMEC-2023-2027\",\"asOf\":\"$as_of\"}"
log "the log holds $(psql_ -c 'select count(*) from strategy.mt_events') events; report request: $body"

request() { curl -sf -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' -d "$body" "$base/api/reports" | json id; }
wait_done() {  # id, seconds
  local deadline=$(( $(date +%s) + $2 )) status
  while (( $(date +%s) < deadline )); do
    status=$(get "$base/api/reports/$1?wait=10" 2>/dev/null | json status || true)
    [[ "$status" == succeeded || "$status" == failed ]] && { echo "$status"; return 0; }
    sleep 0.2
  done
  echo "${status:-unknown}"
}
field() { get "$base/api/reports/$1" | json "$2"; }
served_hash() { get "$base/api/reports/$1/content?format=json" | sha256sum | cut -d' ' -f1; }
count_events() { psql_ -c "select count(*) from strategy.mt_events where stream_id = '$1' and type = '$2'"; }
job_of() { psql_ -c "select id from strategy_hangfire.job where arguments::text like '%$1%' order by id limit 1"; }

# 1. Clean run.
clean1=$(request); t=$(now)
status1=$(wait_done "$clean1" 600)
clean_seconds=$(calc "$(now) - $t")
hash1=$(field "$clean1" contentHash)
[[ "$status1" == succeeded ]] || { log "the clean run did not succeed"; tail -n 30 "$out/api.log" >&2; exit 1; }
# The run itself (the report's startedAt to completedAt), without the wait in Hangfire's queue and the polling, which
# can be most of clean_seconds when the run is short: the kill below comes a third of this into the run.
clean_run=$(get "$base/api/reports/$clean1" | python3 -c 'import json,re,sys
from datetime import datetime
r = json.load(sys.stdin); t = lambda k: datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", r[k].replace("Z", "+00:00"))).timestamp()
d = t("completedAt") - t("startedAt"); print(f"{d:.1f}")')
log "clean run $clean1: $status1 in $clean_seconds s from the request (the run itself $clean_run s), contentHash $hash1"

# 2. Crashed run: kill -9 once it is running, a third of a clean run's time in.
crashed=$(request)
t_requested=$(now)
status=
for _ in $(seq 600); do status=$(field "$crashed" status); [[ "$status" != queued ]] && break; sleep 0.05; done
t_running=$(now)
sleep "$(awk "BEGIN { print $clean_run / 3 }")"
status_at_kill=$(field "$crashed" status)
kill -9 "$api_pid"; wait "$api_pid" 2>/dev/null || true
t_kill=$(now)
killed_pid=$api_pid; api_pid=
started_at_kill=$(count_events "$crashed" report_started)
succeeded_at_kill=$(count_events "$crashed" report_succeeded)
job=$(job_of "$crashed")
job_state_at_kill=$(psql_ -c "select statename from strategy_hangfire.job where id = $job")
log "crashed run $crashed: $status_at_kill $(calc "$t_kill - $t_running") s after it started; SIGKILL to pid $killed_pid; Hangfire job $job $job_state_at_kill"

t=$(now); start_api; restart_seconds=$(calc "$(now) - $t")
log "API restarted in $restart_seconds s (pid $api_pid); waiting for the report..."
bound=$(awk "BEGIN { printf \"%d\", $invisibility + 3 * $clean_seconds + 90 }")
status2=$(wait_done "$crashed" "$bound")
t_recovered=$(now)
recover_seconds=$(calc "$t_recovered - $t_kill")
hash2=$(field "$crashed" contentHash)
# When the run after the restart started and finished (the report's startedAt is its last start), from the kill.
read -r picked_up rerun < <(get "$base/api/reports/$crashed" | python3 -c 'import json,re,sys
from datetime import datetime
r = json.load(sys.stdin); t = lambda k: datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", r[k].replace("Z", "+00:00"))).timestamp()
started, completed, kill = t("startedAt"), t("completedAt"), float(sys.argv[1])
print(f"{started - kill:.1f} {completed - started:.1f}")' "$t_kill" || echo "- -")
attempts2=$(field "$crashed" attempts)
started_after=$(count_events "$crashed" report_started)
succeeded_after=$(count_events "$crashed" report_succeeded)
failed_after=$(count_events "$crashed" report_failed)
for _ in $(seq 50); do
  job_state=$(psql_ -c "select statename from strategy_hangfire.job where id = $job")
  [[ "$job_state" == Succeeded ]] && break; sleep 0.2
done
job_successes=$(psql_ -c "select count(*) from strategy_hangfire.state where jobid = $job and name = 'Succeeded'")
job_processing=$(psql_ -c "select count(*) from strategy_hangfire.state where jobid = $job and name = 'Processing'")
served2=$( [[ "$status2" == succeeded ]] && served_hash "$crashed" || echo "-")

# 3. Clean run after the recovery.
clean3=$(request)
status3=$(wait_done "$clean3" 600)
hash3=$(field "$clean3" contentHash)

verify=$(get "$base/api/audit/verify")
for _ in $(seq 120); do
  [[ "$(echo "$verify" | json eventsPending)" == 0 ]] && break; sleep 0.5; verify=$(get "$base/api/audit/verify")
done
valid=$(echo "$verify" | json valid)
checked=$(echo "$verify" | json eventsChecked)
total=$(psql_ -c "select count(*) from strategy.mt_events")

fails=0
check() {  # description, condition (evaluated), figures
  if eval "$2"; then printf 'PASS  %s: %s\n' "$1" "$3"; else printf 'FAIL  %s: %s\n' "$1" "$3"; fails=$((fails + 1)); fi
}
echo
echo "crash-job: $events appended events, as-of $as_of, invisibility timeout $invisibility s"
check "killed mid-run" '[[ $status_at_kill == running && $started_at_kill -ge 1 && $succeeded_at_kill == 0 ]]' \
  "status $status_at_kill, $(calc "$t_kill - $t_running") s into a run that takes $clean_run s clean ($clean_seconds s from the request); at the kill: report-started $started_at_kill, report-succeeded $succeeded_at_kill, Hangfire job $job $job_state_at_kill"
check "completed after restart" '[[ $status2 == succeeded ]]' \
  "status $status2 $recover_seconds s after the kill (bound $bound s): API up again after $restart_seconds s, job fetched again and report restarted after $picked_up s, rerun $rerun s; attempts $attempts2"
check "completed exactly once" '[[ $succeeded_after == 1 && $failed_after == 0 && $job_successes == 1 ]]' \
  "report-succeeded events $succeeded_after, report-failed $failed_after, report-started $started_after; Hangfire job $job: $job_state, Succeeded states $job_successes, Processing states $job_processing"
check "same content as a clean run" '[[ -n $hash1 && $hash2 == "$hash1" && $hash3 == "$hash1" && $served2 == "$hash1" ]]' \
  "clean before $hash1, crashed $hash2 (served content $served2), clean after $hash3"
check "audit chain valid" '[[ $valid == True && $checked == "$total" ]]' "valid $valid, $checked of $total events chained"
echo
if (( fails == 0 )); then echo "crash-job: PASS"; else echo "crash-job: FAIL ($fails checks failed)"; exit 1; fi
