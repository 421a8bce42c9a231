#!/usr/bin/env bash
# The benchmark suite: the service against PostgreSQL's own limits, measured in one run on one machine.
#
#   bench/run.sh [--size S|M|L]          (default S)
#
#   S  the demo plan (6 countries, 30 commitments, 53 events, no values); its 16 write connections share 30
#      commitments, so some writes queue on one commitment's row lock or find its status already changed (409)
#   M  the demo plan grown to 20,000 commitments and about 210,000 events (history steps 2-10, 2023)
#   L  the same 20,000 commitments with about 1,035,000 events (steps 2-50, 2023 to yesterday); the M figures are
#      taken on the way, so the current report and the view sizes are measured at both M and L.
# In the history (bench/sql/history.sql) a focal point submits a value about every second step and the secretariat
# accepts it in the next (1 in 25 is returned first, then corrected and accepted); a quarter of the commitments end a
# data set with a value submitted, so the review queue holds 5,000 values at M and at L. Quarterly reporting rounds,
# 2023-Q1 to the current quarter, are opened through the API before the history is generated; values carry the round
# whose period holds their date.
#
# It starts its own PostgreSQL (the server's default, durable settings: fsync and synchronous_commit on), publishes the
# API as it ships (Release, ReadyToRun) and builds bench/Strategy.Bench in Release, loads the demo plan through the API,
# opens the rounds, generates the history with SQL (bench/sql/*.sql; the API's views, write models and value documents
# are then rebuilt from those events by the API's own `rebuild` command), waits until the audit chain has caught up,
# runs every scenario, stops everything and prints one table. Scenarios and the baseline each is compared with:
#   writes          wrk, 16 connections: status updates and value submissions (POST /progress) on distinct
#                   commitments, each with the focal-point token of its country (bench/writes.lua)   vs  a loop of the
#                   same writes' database work through the service's own store configuration (16 tasks; per write
#                   FetchForExclusiveWriting, the domain's decision, append, save with the inline projections:
#                   bench/Strategy.Bench marten-write), each on its half of the commitments, taking turns (WRITE_ROUNDS
#                   each, default 4, of WRITE_SECONDS); also shown: pgbench at 16 clients running the SQL of one write
#                   in one transaction (bench/sql/pgbench-write.sql), and a bare Marten loop (16 tasks, one event per
#                   transaction, no projection, no lock, no read)
#   current report  a progress report job's run time (startedAt to completedAt), at M and at L, after a report as
#                   of a quarter earlier, as the quarterly schedule runs them (the changes section lists the quarter's)
#                   vs  COPY (the plan's views) TO STDOUT through psql, in turns with the report (median of 5 each)
#   round report    a progress report for the last round whose period ended before the history does (values up to
#                   the round's period end, accepted when it runs, completeness per country): job run time, median
#                   of 3; skipped, with a line saying so, while the API refuses the request's `round` member
#   view size       pg_column_size of the stored commitment views (and of the write models, for information) after
#                   the rebuild, at each size: average and largest; the views' L/M shows whether they grow with history
#   as-of report    a progress report as of the middle of the history: commitment events folded per second  vs  the
#                   same events read by COPY (SELECT ...) TO STDOUT through psql
#   audit           GET /api/audit pages of 1,000 at random cursors; filtered by country and type; commitment history
#   review queue    GET /api/review-queue?plan=...&pageSize=50 at random pages: unfiltered, by country, by round
#   screens         the web screens signed in (bench/screens.sh): the focal point's home (/country), its commitment
#                   pages, the review queue (/review) and the plan matrix (/plan), 200 reads each: p50 and p95; and
#                   what a first visit to each transfers (HTML gzipped, its stylesheets and scripts as served)
#   rebuild         the API's `rebuild` command (views, write models, value documents from the events): events per
#                   second  vs  COPY of them
#   telemetry       CPU per write (API and its PostgreSQL backends) and requests/s with telemetry exported over OTLP
#                   (to a local sink; default sampling, and every trace) vs without: two APIs of each kind kept running,
#                   loaded in turn in short rounds (bench/telemetry-overhead.sh); target: at most 5 % lower
#   memory, start   the API's peak RSS (VmHWM of every API process of the run); process start to /health/ready with
#                   the schema and data present, as deployed (Database:ApplySchemaOnStartup=false, `migrate` having
#                   run); also shown with the schema check at start-up (the default)
#
# Environment: WRITE_SECONDS (a write turn's length; default 5 for S, 10 otherwise), WRITE_ROUNDS (default 4), KEEP=1
# keeps the data directory and logs.
# Needs wrk (installed with apt when missing and run as root), pgbench and psql (the PostgreSQL client).
name=bench
source "$(dirname "$(readlink -f "$0")")/lib.sh"

size=S
while [[ $# -gt 0 ]]; do
  case $1 in
    --size) size=${2:-}; shift 2 || true ;;
    --size=*) size=${1#--size=}; shift ;;
    -h|--help) sed -n '2,50p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (usage: bench/run.sh [--size S|M|L])" >&2; exit 2 ;;
  esac
done
[[ $size =~ ^[SML]$ ]] || { echo "--size takes S, M or L" >&2; exit 2; }
write_seconds=${WRITE_SECONDS:-$([[ $size == S ]] && echo 5 || echo 10)}
run_start=$(now)

if ! command -v wrk >/dev/null; then
  [[ $EUID -eq 0 ]] || { echo "wrk is missing: sudo apt-get install -y wrk" >&2; exit 1; }
  log "installing wrk (apt-get)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >"$out/apt.log" 2>&1 \
    || { apt-get update -q >>"$out/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >>"$out/apt.log" 2>&1; }
fi

pg_start 56300
# Statements over 200 ms go to the server log ($pgdir/server.log, kept with KEEP=1): where a slow scenario spends its
# time in the database. Logging only; durability settings stay the server's defaults.
psql_ -c "alter system set log_min_duration_statement = 200" -c "select pg_reload_conf()" >/dev/null
# The telemetry step runs seven APIs on this server (its six and the main one), each with a pool of up to the write
# load's 16 connections and more; the default of 100 connections refused some of their writes ("too many clients").
psql_ -c "alter system set max_connections = 300" >/dev/null
deploy/postgres.sh stop "$pgdir" >/dev/null 2>&1 && deploy/postgres.sh start "$pgdir" "$pgport" >/dev/null
api_publish
dotnet build bench/Strategy.Bench -c Release -v q -nologo >"$out/bench-build.log" 2>&1 || { tail -n 30 "$out/bench-build.log" >&2; exit 1; }
bench_tool=$repo/bench/Strategy.Bench/bin/Release/net10.0/Strategy.Bench.dll

results=$out/results.json; echo '{}' >"$results"
# record KEY VALUE: one figure for the table.
record() { python3 - "$results" "$1" "$2" <<'PY'
import json, sys
path, key, value = sys.argv[1:]
data = json.load(open(path))
try: data[key] = float(value)
except ValueError: data[key] = value
json.dump(data, open(path, "w"))
PY
}
# The machine's load average (1 minute) is logged after each phase and its highest value shown with the table: work
# other than the run's own on the same cores slows every figure (docs/benchmarks.md).
load_peak=$(cut -d' ' -f1 /proc/loadavg)
load_note() {
  local l; l=$(cut -d' ' -f1 /proc/loadavg)
  log "load average after $1: $l"
  load_peak=$(awk -v a="$load_peak" -v b="$l" 'BEGIN { print (b > a ? b : a) }')
}

# Production settings, a key of the run's own for tokens, no rate limits (the load is the point) and no recurring jobs.
export ASPNETCORE_ENVIRONMENT=Production Auth__SigningKey="bench-signing-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ConnectionStrings__Strategy="$owner_cs" Logging__LogLevel__Default=Warning Jobs__Recurring=false \
  RateLimits__WritesPerMinute=0 RateLimits__ReportsPerMinute=0 RateLimits__ReadsPerMinute=0
apiport=$(free_port 5380)
# The commitment events (those the views and the report folds read), as SQL over mt_events aliased e.
commitment_events="e.type like any (array['commitment%', 'value%'])"
base=http://127.0.0.1:$apiport
plan=LMEC-2023-2027
sec=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role secretariat --name "Bench secretariat")
rev=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role reviewer --name "Bench reviewer")
get() { curl -sf -H "Authorization: Bearer $rev" "$@"; }
peak_rss_kb=0
# rss_note PHASE: the API's resident and peak memory after a phase, logged and recorded (where the peak is reached).
rss_note() {
  local rss hwm
  rss=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$api_pid/status" 2>/dev/null || echo 0)
  hwm=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$api_pid/status" 2>/dev/null || echo 0)
  log "API memory after $1: RSS $rss MB, peak $hwm MB"
  record "rss_after_$1" "$hwm"
  load_note "$1"
}
stop_api() {
  local pid=$1 hwm
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  (( hwm > peak_rss_kb )) && peak_rss_kb=$hwm
  api_stop "$pid"
}

# open_rounds: quarterly reporting rounds of the plan, 2023-Q1 to the current quarter (deadline a month after the
# period), opened through the API: the generated values carry them, the review queue filters by them, and the write
# scenario's values (dated today) go to the current one.
open_rounds() {
  local body answer n=0
  while read -r body; do
    answer=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' -d "$body" "$base/api/plans/$plan/rounds")
    [[ $answer == 201 ]] || { log "opening a round ($body) answered $answer"; return 1; }
    n=$((n + 1))
  done < <(python3 -c '
import json
from datetime import date, timedelta
today = date.today()
y, q = 2023, 1
while (y, q) <= (today.year, (today.month - 1) // 3 + 1):
    start = date(y, 3 * q - 2, 1)
    end = date(y + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    print(json.dumps({"code": f"{y}-Q{q}", "title": f"Q{q} {y}", "periodStart": str(start), "periodEnd": str(end),
                      "deadline": str(end + timedelta(days=31))}))
    y, q = (y + 1, 1) if q == 4 else (y, q + 1)')
  log "opened $n reporting rounds"
}

log "size $size: loading the demo plan..."
api_start api "$apiport" Seed__DemoPlan=true
open_rounds
stop_api "$api_pid"

# The audit chain is built by the API's async daemon; the scenarios start once it has caught up, so they do not
# share the machine with the catch-up.
wait_for_chain() {
  local t0; t0=$(now)
  for _ in $(seq 3600); do
    [[ $(psql_ -c "select coalesce((select (data->>'sequence')::bigint from strategy.mt_doc_auditchainhead), 0) >= (select max(seq_id) from strategy.mt_events)") == t ]] \
      && { log "audit chain caught up in $(calc "$(now) - $t0") s"; return 0; }
    sleep 0.5
  done
  log "the audit chain did not catch up"; return 1
}

rebuild_views() {
  local json events seconds
  json=$(dotnet "$dll" rebuild 2>>"$out/rebuild.log")
  events=$(json events <<<"$json"); seconds=$(json seconds <<<"$json")
  log "rebuilt the commitment views, write models and value documents: $events events in $(calc "$seconds" 2) s"
  record "rebuild_${1}_events" "$events"; record "rebuild_${1}_seconds" "$seconds"
}

# view_sizes SIZE: the stored size (pg_column_size: as stored, after any compression) of the commitment views and of the
# write models, average and largest, and how many values the data set holds.
view_sizes() {
  local t row
  for t in commitmentview commitment; do
    row=$(psql_ -F ' ' -c "select round(avg(pg_column_size(data)), 1), max(pg_column_size(data)) from strategy.mt_doc_$t")
    record "size_${t}_avg_$1" "${row% *}"; record "size_${t}_max_$1" "${row#* }"
    log "mt_doc_$t at $1: average ${row% *} bytes, largest ${row#* } bytes"
  done
  log "value documents at $1: $(psql_ -c "select coalesce(string_agg(s || ' ' || n, ', ' order by s), 'none') from (select data->>'state' s, count(*) n from strategy.mt_doc_valueview group by 1) x")"
}

# copy_views: PostgreSQL sending the plan's stored views (what a current report reads) by COPY through psql to
# /dev/null; prints the seconds it took.
copy_views() {
  local t0; t0=$(now)
  psql_ -c "copy (select data from strategy.mt_doc_commitmentview where stateplan_code = '$plan') to stdout" >/dev/null
  calc "$(now) - $t0" 3
}

# COPY of the rows a fold reads, through psql to /dev/null: rows per second. The columns are those CommitmentEventLog
# selects; with ACTOR=1 also the actor's header fields, which the rebuild reads and a report's fold does not.
copy_rate() {
  local where=$1 actor=${2:-0} t0 t1 rows columns="e.seq_id, e.stream_id, e.version, e.timestamp, e.type, e.data, e.user_name"
  [[ $actor == 1 ]] && columns+=", e.headers->>'actor-name', e.headers->>'actor-role', e.headers->>'actor-country'"
  rows=$(psql_ -c "select count(*) from strategy.mt_events e where $commitment_events and ($where)")
  t0=$(now)
  psql_ -c "copy (select $columns from strategy.mt_events e where $commitment_events and ($where) order by e.seq_id) to stdout" >/dev/null
  t1=$(now)
  calc "$rows / ($t1 - $t0)" 0
}

# cpu_seconds PID [WITH_CHILDREN]: CPU seconds the process has used (utime + stime, with its exited children's), and
# with WITH_CHILDREN=1 also its live children's: for the PostgreSQL server, the postmaster and its backends.
cpu_seconds() { python3 - "$1" "${2:-0}" <<'PY'
import os, sys
pid, children = sys.argv[1], sys.argv[2] == "1"
def fields(p):
    try: text = open(f"/proc/{p}/stat").read()
    except OSError: return None
    return text[text.rindex(")") + 2:].split()
f = fields(pid); ticks = sum(int(x) for x in f[11:15])
if children:
    for p in os.listdir("/proc"):
        if p.isdigit() and (c := fields(p)) and c[1] == pid: ticks += int(c[11]) + int(c[12])
print(ticks / os.sysconf("SC_CLK_TCK"))
PY
}
postmaster_pid() { head -n 1 "$pgdir/postmaster.pid"; }

# median A B C ...: of an odd number of values.
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# report [ASOF]: requests a progress report, waits for it; prints "seconds eventSequence" (job run time).
report() {
  if [[ -n "${1:-}" ]]; then report_body "{\"kind\": \"progress\", \"plan\": \"$plan\", \"asOf\": \"$1\"}"; else report_body "{\"kind\": \"progress\", \"plan\": \"$plan\"}"; fi
}

# report_body JSON: the same for a request body of the caller's. When the request is not accepted (202) the answer is
# logged and it returns 3 when the API does not know a member of the body (400, "Is not a field"), 1 otherwise.
report_body() {
  local body=$1 id status answer code
  answer=$(curl -s -w '\n%{http_code}' -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' -d "$body" "$base/api/reports")
  code=${answer##*$'\n'}
  [[ $code == 202 ]] || { log "POST /api/reports $body answered $code: ${answer%$'\n'*}"; [[ $code == 400 && $answer == *'Is not a field'* ]] && return 3; return 1; }
  id=$(json id <<<"${answer%$'\n'*}")
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    status=$(get "$base/api/reports/$id?wait=60")
    [[ $(json status <<<"$status") == @(succeeded|failed) ]] && break
  done
  python3 -c '
import json, sys
from datetime import datetime
r = json.loads(sys.argv[1])
if r["status"] != "succeeded": sys.exit("report " + r["id"] + " " + r["status"] + ": " + str(r.get("error")))
s = datetime.fromisoformat(r["startedAt"]); c = datetime.fromisoformat(r["completedAt"])
print((c - s).total_seconds(), r["eventSequence"])' "$status"
}

# current_report LABEL: as the quarterly schedule runs it: a report as of a quarter before the end of the history
# comes first, so the current report compares with it (its changes section lists the last quarter's changes). Then,
# after a first run that is only logged (it warms the JIT up), five repeat runs, each followed by a COPY of the views,
# so that the two medians compared are taken over the same stretch of the machine's time: on a machine whose speed
# drifts, three reports then three COPYs compared one moment's speed with another's.
current_report() {
  local first runs=() copies=() quarter
  quarter=$(psql_ -c "select to_char((max(timestamp) - interval '91 days') at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from strategy.mt_events e where $commitment_events")
  [[ $1 == S ]] || log "report as of a quarter before the end ($quarter): $(report "$quarter" | cut -d' ' -f1) s"
  first=$(report); log "current report at $1, first run: ${first% *} s"
  for _ in 1 2 3 4 5; do runs+=("$(report | cut -d' ' -f1)"); copies+=("$(copy_views)"); done
  local median copy; median=$(median "${runs[@]}"); copy=$(median "${copies[@]}")
  log "current report at $1, repeat runs: ${runs[*]} s (median $median)"
  log "COPY of the plan's views at $1, each after a repeat run: ${copies[*]} s (median $copy)"
  record "report_current_$1" "$median"; record "report_first_$1" "${first% *}"; record "copy_views_$1" "$copy"
  # Where the time goes: the job's steps timed one by one in a process of their own (bench/Strategy.Bench report-phases).
  local phases
  phases=$(dotnet "$bench_tool" report-phases "$owner_cs" "$plan" 5 "$(postmaster_pid)" 2>>"$out/report-phases.log" | tail -n 1)
  log "current report at $1, its steps (median of 5, ms): $phases"
  record "report_phases_$1" "$(json medianMs <<<"$phases" | tr -d "{}'")"
}

# round_report: a progress report for the last round whose period ended before the history's last event, timed like the
# current report (a first run only logged, then the median of three). Skipped with a line saying so while the API
# refuses the request's `round` member (400).
round_report() {
  local code body first runs=() median rc=0
  code=$(psql_ -c "select data->>'code' from strategy.mt_doc_round where data->>'plan' = '$plan' and (data->>'periodEnd')::date <
                   (select max(timestamp) at time zone 'UTC' from strategy.mt_events e where $commitment_events)::date order by data->>'periodEnd' desc limit 1")
  body="{\"kind\": \"progress\", \"plan\": \"$plan\", \"round\": \"$code\"}"
  first=$(report_body "$body") || rc=$?
  if [[ $rc == 3 ]]; then
    log "round report: skipped, the API does not take the request's round member (400: no round reports in this build)"
    record round_report skipped; return 0
  fi
  [[ $rc == 0 ]] || return 1
  log "round report ($code) at $size, first run: ${first% *} s"
  for _ in 1 2 3; do runs+=("$(report_body "$body" | cut -d' ' -f1)"); done
  median=$(median "${runs[@]}")
  log "round report ($code) at $size, repeat runs: ${runs[*]} s (median $median)"
  record round_report "$median"; record round_report_code "$code"
}

# ready_at SIZE: the views rebuilt from the events and their sizes taken, the API started on them, the audit chain
# caught up, and the current report timed.
ready_at() {
  rebuild_views "$1"
  load_note "rebuild_$1"
  view_sizes "$1"
  api_start api "$apiport" Database__ApplySchemaOnStartup=false
  wait_for_chain
  rss_note "chain_$1"
  current_report "$1"
  rss_note "reports_$1"
}

# grow SIZE VFROM VTO: history steps VFROM..VTO appended (API stopped), then ready_at SIZE.
grow() {
  local t; t=$(now)
  psql_ -v vfrom="$2" -v vto="$3" -f bench/sql/history.sql >/dev/null
  record "generate_$1_seconds" "$(calc "$(now) - $t")"
  log "generated $1 in $(calc "$(now) - $t") s: $(psql_ -c 'select count(*) from strategy.mt_events') events"
  ready_at "$1"
}

if [[ $size == S ]]; then
  ready_at S
else
  psql_ -f bench/sql/backdate.sql
  psql_ -v total=20000 -f bench/sql/commitments.sql >/dev/null
  grow M 2 10
  if [[ $size == L ]]; then
    stop_api "$api_pid"
    grow L 11 50
  fi
fi
round_report
rss_note round_report
record rebuild_copy_rate "$(copy_rate true 1)"
record events "$(psql_ -c 'select count(*) from strategy.mt_events')"
record ready_seconds "$api_ready_s"

# As-of report: the instant of the middle event of the history.
mid=$(psql_ -c "select to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from strategy.mt_events where seq_id = (select max(seq_id) / 2 from strategy.mt_events e where $commitment_events)")
folded=$(psql_ -c "select count(*) from strategy.mt_events e where $commitment_events and e.timestamp <= '$mid'")
report "$mid" >/dev/null   # warm-up
runs=(); for _ in 1 2 3; do runs+=("$(report "$mid" | cut -d' ' -f1)"); done
asof_seconds=$(median "${runs[@]}")
log "as-of report ($mid, $folded events): ${runs[*]} s"
record asof_events "$folded"; record asof_seconds "$asof_seconds"
record asof_rate "$(calc "$folded / $asof_seconds" 0)"
record asof_copy_rate "$(copy_rate "e.timestamp <= '$mid'")"
rss_note asof

# Audit: 200 pages at random cursors, 100 filtered pages, 300 commitment histories.
max_seq=$(psql_ -c "select max(seq_id) from strategy.mt_events")
python3 -c "import random; random.seed(1); [print(f'/api/audit?limit=1000&after={random.randrange(0, max(1, $max_seq - 1000))}') for _ in range(205)]" \
  | python3 bench/latency.py 127.0.0.1 "$apiport" "$rev" >"$out/audit.json"
python3 -c "
import random; random.seed(2)
for _ in range(105):
    c = random.choice(['KH', 'CN', 'LA', 'MM', 'TH', 'VN']); t = random.choice(['value-submitted', 'commitment-status-changed'])
    print(f'/api/audit?limit=1000&country={c}&type={t}&after={random.randrange(0, max(1, $max_seq - 1000))}')" \
  | python3 bench/latency.py 127.0.0.1 "$apiport" "$rev" >"$out/audit-filtered.json"
psql_ -c "select '/api/commitments/' || id || '/history' from strategy.mt_doc_commitmentview order by md5(id::text) limit 305" \
  | python3 bench/latency.py 127.0.0.1 "$apiport" "$rev" >"$out/history.json"
for k in audit audit-filtered history; do
  record "${k}_p50" "$(json p50 <"$out/$k.json")"; record "${k}_p99" "$(json p99 <"$out/$k.json")"
  log "$k: $(cat "$out/$k.json")"
done
rss_note audit

# Review queue: 200 pages of 50 (after 5 not counted) at random page numbers, a third unfiltered, a third by country,
# a third by round (of the rounds holding submitted values), each page number within what its filter holds.
queue_json=$(psql_ -c "with q as (select v.commitment_id, v.round, c.statecountry from strategy.mt_doc_valueview v
                                   join strategy.mt_doc_commitmentview c on c.id = v.commitment_id
                                   where c.stateplan_code = '$plan' and v.data->>'state' = 'submitted')
  select json_build_object('all', (select count(*) from q),
    'country', coalesce((select json_object_agg(statecountry, n) from (select statecountry, count(*) n from q group by 1) x), '{}'),
    'round', coalesce((select json_object_agg(round, n) from (select round, count(*) n from q where round is not null group by 1) x), '{}'))")
log "review queue: $queue_json"
record review_total "$(json all <<<"$queue_json")"
python3 -c "
import json, random, sys
from datetime import date
random.seed(3)
q = json.loads(sys.argv[1]); plan = sys.argv[2]
pages = lambda n: max(1, -(-n // 50))
# at S no value awaits review: the current quarter's round then
rounds = sorted(q['round']) or [f'{date.today().year}-Q{(date.today().month - 1) // 3 + 1}']
for i in range(205):
    kind = i % 3
    if kind == 0:
        print(f'/api/review-queue?plan={plan}&pageSize=50&page={random.randint(1, pages(q[\"all\"]))}')
    elif kind == 1:
        c = random.choice(['KH', 'CN', 'LA', 'MM', 'TH', 'VN'])
        print(f'/api/review-queue?plan={plan}&pageSize=50&country={c}&page={random.randint(1, pages(q[\"country\"].get(c, 0)))}')
    else:
        r = random.choice(rounds)
        print(f'/api/review-queue?plan={plan}&pageSize=50&round={r}&page={random.randint(1, pages(q[\"round\"].get(r, 0)))}')
" "$queue_json" "$plan" | python3 bench/latency.py 127.0.0.1 "$apiport" "$rev" >"$out/review-queue.json"
record review_p50 "$(json p50 <"$out/review-queue.json")"; record review_p99 "$(json p99 <"$out/review-queue.json")"
log "review queue: $(cat "$out/review-queue.json")"
rss_note review

source bench/screens.sh
screens_budget
load_note screens

# Writes: the commitments, each with its country's focal-point token.
declare -A fp
for c in KH CN LA MM TH VN; do fp[$c]=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role focal-point --country "$c" --name "Bench focal point $c"); done
psql_ -F ' ' -c "select id, data->'state'->>'country' from strategy.mt_doc_commitmentview where not (data->'state'->>'withdrawn')::boolean order by md5(id::text)" \
  >"$out/write-targets.txt"
while read -r id country; do echo "$id ${fp[$country]}"; done <"$out/write-targets.txt" >"$out/targets.txt"
# The API writes one half of the commitments and the loop the other, so neither's walk meets a status the other set
# (wrk's walk assumes the status its own last visit left); at S both share the 30.
if [[ $size == S ]]; then
  cp "$out/targets.txt" "$out/api-targets.txt"; cp "$out/write-targets.txt" "$out/loop-targets.txt"
else
  awk 'NR % 2 == 1' "$out/targets.txt" >"$out/api-targets.txt"; awk 'NR % 2 == 0' "$out/write-targets.txt" >"$out/loop-targets.txt"
fi
# Each commitment's visit count, carried from one wrk run to the next (and on to the telemetry step).
visits=$out/visits.txt
# Warm-up: the JIT's tiered compilation settles only after some tens of seconds of write load (dotnet-counters showed
# it still compiling about 1,400 methods per 5 s 40 s into the load on a busy machine, docs/benchmarks.md); measured
# before it settles, a write's CPU time includes compiling the code it runs, more of it with telemetry on.
warm_seconds=$([[ $size == S ]] && echo 5 || echo 30)
# The API and the loop of the same writes' database work (bench/Strategy.Bench marten-write: through the service's own
# store configuration, 16 tasks; per write FetchForExclusiveWriting, the domain's decision, append, save with the inline
# projections) take turns, WRITE_ROUNDS rounds each (default 4) of $write_seconds s, the order swapped every cycle: this
# machine's speed moved by a factor of two within a run (docs/benchmarks.md), and two 20 s steps an hour apart
# compared two machines. Both stay warm between turns; the API stays up during the loop's turns (its daemon chaining
# the new events, as during its own).
write_rounds=${WRITE_ROUNDS:-4}
coproc LOOP { exec dotnet "$bench_tool" marten-write "$owner_cs" 16 "$out/loop-targets.txt" "$(postmaster_pid)" 2>>"$out/marten.log"; }
on_exit "kill $LOOP_PID 2>/dev/null"
# api_turn SECONDS OUTPUT: wrk's write load on the API; its CPU per write (the API's and PostgreSQL's) appended to OUTPUT.
api_turn() {
  local a0 p0 a1 p1
  a0=$(cpu_seconds "$api_pid"); p0=$(cpu_seconds "$(postmaster_pid)" 1)
  wrk -t2 -c16 -d"${1}s" -s bench/writes.lua "$base" -- "$out/api-targets.txt" 2 "$visits" >"$2"
  a1=$(cpu_seconds "$api_pid"); p1=$(cpu_seconds "$(postmaster_pid)" 1)
  echo "$a0 $a1 $p0 $p1" >>"$2"
}
# loop_turn SECONDS: one turn of the loop; its JSON line (other lines it writes, Marten's own notices, go to the log).
loop_turn() {
  local line
  echo "$1" >&"${LOOP[1]}"
  while read -r line <&"${LOOP[0]}"; do
    [[ $line == '{'* ]] && { echo "$line"; return 0; }
    echo "$line" >>"$out/marten.log"
  done
  log "the Marten write loop ended (bench/Strategy.Bench marten-write: $out/marten.log)"; return 1
}
api_turn "$warm_seconds" "$out/wrk-warm.txt"; loop_turn "$warm_seconds" >/dev/null
wait_for_chain
api_files=(); loop_lines=()
for ((cycle = 1; cycle <= write_rounds; cycle++)); do
  for side in api loop; do
    # Odd cycles: the API first; even: the loop first.
    (( cycle % 2 == 0 )) && side=$([[ $side == api ]] && echo loop || echo api)
    if [[ $side == api ]]; then
      api_turn "$write_seconds" "$out/wrk-$cycle.txt"; api_files+=("$out/wrk-$cycle.txt")
      log "writes, cycle $cycle, API: $(sed -n '$!p' "$out/wrk-$cycle.txt" | tail -n 1 | cut -c1-300)"
    else
      loop_lines+=("$(loop_turn "$write_seconds")")
      log "writes, cycle $cycle, Marten writes: ${loop_lines[-1]}"
    fi
  done
done
exec {LOOP[1]}>&-; wait "$LOOP_PID" 2>/dev/null || true
# The API's turns together: requests over their seconds; p50 the median of the turns', p99 the highest; CPU per write
# over all turns. The loop's likewise.
python3 - "$out/writes.json" "$out/loop.json" "${api_files[@]}" -- "${loop_lines[@]}" <<'PY'
import json, statistics, sys
api_out, loop_out, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
files, lines = rest[:rest.index("--")], rest[rest.index("--") + 1:]
turns, cpu = [], []
for f in files:
    text = open(f).read().strip().split("\n")
    turns.append(json.loads(text[-2])); cpu.append([float(x) for x in text[-1].split()])
n = sum(t["requests"] for t in turns); seconds = sum(t["seconds"] for t in turns)
json.dump({"requests": n, "seconds": seconds, "rps": n / seconds, "p50": statistics.median(t["p50"] for t in turns),
           "p99": max(t["p99"] for t in turns), "non2xx": sum(t["non2xx"] for t in turns),
           "socketErrors": sum(t["socketErrors"] for t in turns), "rounds": " ".join(f"{t['rps']:.1f}" for t in turns),
           "apiCpuMs": 1000 * sum(c[1] - c[0] for c in cpu) / n, "pgCpuMs": 1000 * sum(c[3] - c[2] for c in cpu) / n}, open(api_out, "w"))
loops = [json.loads(l) for l in lines]
m = sum(t["requests"] for t in loops); mseconds = sum(t["seconds"] for t in loops)
json.dump({"rps": m / mseconds, "p99": max(t["p99"] for t in loops), "rejected": sum(t["rejected"] for t in loops),
           "failed": sum(t["failed"] for t in loops), "rounds": " ".join(f"{t['rps']:.1f}" for t in loops),
           "cpuMsPerWrite": sum(t["cpuMsPerWrite"] * t["requests"] for t in loops) / m,
           "serverCpuMsPerWrite": sum(t["serverCpuMsPerWrite"] * t["requests"] for t in loops) / m}, open(loop_out, "w"))
PY
log "writes (API, $write_rounds turns): $(cat "$out/writes.json")"
log "Marten writes ($write_rounds turns): $(cat "$out/loop.json")"
for k in rps p50 p99 non2xx socketErrors; do record "writes_$k" "$(json "$k" <"$out/writes.json")"; done
record writes_api_cpu_ms "$(json apiCpuMs <"$out/writes.json")"; record writes_pg_cpu_ms "$(json pgCpuMs <"$out/writes.json")"
record writes_rounds "$(json rounds <"$out/writes.json")"
rss_note writes
record write_loop_rps "$(json rps <"$out/loop.json")"; record write_loop_p99 "$(json p99 <"$out/loop.json")"
record write_loop_cpu_ms "$(json cpuMsPerWrite <"$out/loop.json")"; record write_loop_pg_cpu_ms "$(json serverCpuMsPerWrite <"$out/loop.json")"
record write_loop_rejected "$(json rejected <"$out/loop.json")"; record write_loop_failed "$(json failed <"$out/loop.json")"
record write_loop_rounds "$(json rounds <"$out/loop.json")"

commitments=$(psql_ -c "select count(*) from strategy.mt_doc_commitmentview")
psql_ -f bench/sql/pgbench-setup.sql >/dev/null 2>&1
pgbench -h 127.0.0.1 -p "$pgport" -U postgres -n -M prepared -c 16 -j 2 -T "$write_seconds" -D commitments="$commitments" \
  -f bench/sql/pgbench-write.sql strategy >"$out/pgbench.txt" 2>&1
pg_tps=$(awk '/^tps = / {print $3}' "$out/pgbench.txt")
log "pgbench: $pg_tps tps"
record pgbench_tps "$pg_tps"
marten=$(dotnet "$bench_tool" marten-loop "$owner_cs" "$write_seconds" 16 2>>"$out/marten.log" | tail -n 1)
log "bare Marten: $marten"
record marten_rps "$(json rps <<<"$marten")"
load_note baselines

# Telemetry's cost to writes: without and with an OTLP exporter, in turn (bench/telemetry-overhead.sh).
source bench/telemetry-overhead.sh
telemetry_overhead
load_note telemetry

stop_api "$api_pid"
# Start-up once more, with the schema check the service does by default.
api_start api "$apiport"
record ready_apply_seconds "$api_ready_s"
stop_api "$api_pid"
load_note "start-up"
record load_peak "$load_peak"
record peak_rss_mb "$(calc "$peak_rss_kb / 1024")"
record size "$size"
record total_seconds "$(calc "$(now) - $run_start")"
[[ -n "${RESULTS:-}" ]] && cp "$results" "$RESULTS"
python3 bench/table.py "$results"
