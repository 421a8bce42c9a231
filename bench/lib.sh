# Shared by the bench scripts (sourced, not run): a throwaway PostgreSQL, a Release build of the API, free ports,
# clean-up on exit, and small helpers. The sourcing script sets `name` (used in temp paths and logs) first.
#
# After sourcing: $repo (the repository root, also the cwd), $out (a temp dir for logs, removed on exit unless KEEP=1).
# pg_start [PORT_FROM]        starts PostgreSQL in a temp dir; sets $pgport, $owner_cs; defines psql_
# api_build                   builds the API in Release; sets $dll (api_publish: publishes it ReadyToRun)
# api_migrate_app_role R P    applies the schema as the owner, with the app role R; sets $app_cs
# api_start NAME PORT [ENV=V...]  starts the API (logs to $out/NAME.log); sets ${NAME}_pid; waits for /health/ready
# on_exit CMD                 adds a command to the clean-up
# append_value_events N       appends N value-submitted events to the demo plan's commitments by SQL (after pg_start and a seeded API)
# wait_for_chain              waits until the async audit chain has chained every event
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$repo"
out=$(mktemp -d "/tmp/strategy-${name:-bench}-out.XXXXXX")
pgdir=
bench_exit_cmds=()
api_pids=()

log() { echo "${name:-bench}: $*" >&2; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v := v[k] for k in sys.argv[1:]]; print("" if v is None else v)' "$@"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_in_use "$p"; do p=$((p + 1)); done; echo "$p"; }
on_exit() { bench_exit_cmds+=("$*"); }

bench_cleanup() {
  local rc=$? c p
  for c in "${bench_exit_cmds[@]}"; do eval "$c" || true; done
  for p in "${api_pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  [[ -n "$pgdir" ]] && deploy/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true
  if [[ "${KEEP:-0}" == 1 ]]; then log "kept: $pgdir $out"; else rm -rf "$out" ${pgdir:+"$pgdir"}; fi
  return $rc
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

pg_start() {
  pgdir=$(mktemp -d "/tmp/strategy-${name:-bench}-pg.XXXXXX")
  pgport=$(free_port "${1:-56100}")
  owner_cs=$(deploy/postgres.sh start "$pgdir" "$pgport")
}
psql_() { psql -h 127.0.0.1 -p "$pgport" -U postgres -d strategy -v ON_ERROR_STOP=1 -qAt "$@"; }

api_build() {
  log "building the API (Release)..."
  dotnet build Strategy.Api -c Release -v q -nologo >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; return 1; }
  dll=$repo/Strategy.Api/bin/Release/net10.0/Strategy.Api.dll
}

# api_migrate_app_role ROLE PASSWORD: applies the schema as the owner (`migrate`) with the least-privilege role the
# service runs as; sets $app_cs, the connection string for that role.
api_migrate_app_role() {
  ConnectionStrings__Strategy="$owner_cs" dotnet "$dll" migrate --app-role "$1" --app-password "$2" 2>"$out/migrate.log" \
    || { cat "$out/migrate.log" >&2; return 1; }
  app_cs="${owner_cs%;Username=*};Username=$1;Password=$2"
}

# Publishes the API as it ships (Release, ReadyToRun: precompiled, so it starts without JIT-compiling everything).
api_publish() {
  log "publishing the API (Release, ReadyToRun)..."
  dotnet publish Strategy.Api -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/api" \
    -v q -nologo >"$out/publish.log" 2>&1 || { tail -n 30 "$out/publish.log" >&2; return 1; }
  dll=$out/api/Strategy.Api.dll
}

# api_start NAME PORT [VAR=VALUE...]: the environment pairs apply to this process only. Waits up to 60 s for
# /health/ready; sets NAME_pid and NAME_ready_s (seconds from launch to the first ready answer).
api_start() {
  local api=$1 port=$2; shift 2
  local t0 pid; t0=$(now)
  env "$@" dotnet "$dll" --urls "http://127.0.0.1:$port" >>"$out/$api.log" 2>&1 &
  pid=$!
  api_pids+=("$pid")
  printf -v "${api}_pid" %s "$pid"
  for _ in $(seq 1200); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; then
      printf -v "${api}_ready_s" %s "$(calc "$(now) - $t0" 3)"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  log "the API ($api) did not get ready; last log lines:"; tail -n 30 "$out/$api.log" >&2; return 1
}

api_stop() { local pid=$1; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

# append_value_events N: appends N value-submitted events (values a focal point of the commitment's country
# submitted, pending review) to the demo plan's commitments with one SQL statement, in the shape and with the metadata
# the API stores them. The value documents and the views' pending lists are not updated: what reads the log as stored
# (the audit log, its export, the chain) sees them exactly like events the API appended.
append_value_events() {
  local events=$1 t0
  log "appending $events events..."
  t0=$(now)
  psql_ <<SQL
with c as (select id, statecountry as country, row_number() over (order by id) - 1 as n, count(*) over () as total from strategy.mt_doc_commitmentview)
insert into strategy.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id, causation_id)
select nextval('strategy.mt_events_sequence'), gen_random_uuid(), c.id, 100 + g,
       jsonb_build_object('commitmentId', c.id, 'valueId', gen_random_uuid(), 'value', g % 1000, 'asOf', '2025-06-30', 'round', null,
                          'late', false, 'supersedes', null, 'note', 'bench value ' || g, 'evidence', '[]'::jsonb, 'evidenceUrl', null),
       'value_submitted', now(), '*DEFAULT*', 'Strategy.Domain.Commitments.ValueSubmitted, Strategy.Domain',
       jsonb_build_object('actor-name', 'Bench ' || c.country, 'actor-role', 'focal-point', 'actor-country', c.country),
       'focal-point-' || lower(c.country), 'bench', 'bench'
from generate_series(1, $events) g join c on c.n = g % c.total;
update strategy.mt_streams s set version = (select max(version) from strategy.mt_events e where e.stream_id = s.id);
SQL
  log "appended in $(calc "$(now) - $t0" 2) s; the log holds $(psql_ -c "select count(*) from strategy.mt_events") events"
}

# wait_for_chain: polls the chain's head (not /api/audit/verify, which re-hashes the whole log on every call) until
# the daemon has chained every event, for up to 10 minutes; sets $chain_s, the seconds it waited.
wait_for_chain() {
  local t0 chained; t0=$(now)
  for _ in $(seq 1200); do
    chained=$(psql_ -c "select coalesce((select (data->>'sequence')::bigint from strategy.mt_doc_auditchainhead), 0) >= (select max(seq_id) from strategy.mt_events)")
    [[ "$chained" == t ]] && break; sleep 0.5
  done
  chain_s=$(calc "$(now) - $t0" 2)
  log "audit chain caught up $chain_s s after the append"
}
