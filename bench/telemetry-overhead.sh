# Sourced by bench/run.sh (after its write scenario, on the same data and targets): what telemetry costs writes.
# APIs of three kinds are started on the same database and kept running: without telemetry, exporting traces, metrics
# and logs over OTLP/HTTP to a local sink (bench/otlp_sink.py, which accepts everything) with the service's default
# sampling (one trace in ten), and keeping every trace; OTEL_PROCESSES (default 2) processes of each kind, because
# .NET processes running the same code settle at speeds a few per cent apart (each compiles its own optimized code
# from its own profile), as much as the cost measured, and one process a kind cannot tell that from the cost. Each is
# warmed up alone and given one more short turn, not counted; then they take the write load in turn, one at a time,
# in short rounds (OTEL_CYCLES cycles, default 6, of OTEL_ROUND_SECONDS, default 10; the order off-1 sampled-1 on-1
# off-2 ..., each cycle starting one further along): every process stays warm, and whatever else the machine does
# moves all kinds alike instead of falling on one side (taken in fresh processes one after another, CPU time per
# write moved by up to a third between rounds of one kind on a shared host). Each API writes its own share of the
# commitments. The run.sh API stays up, unloaded, and runs the async daemon (the audit chain) for all; the others run
# none.
#
# A kind's cost of a write is its processes' own CPU time plus that of their PostgreSQL backends (found by the
# connection's application name; a backend its pool closes while idle is left out), per request, over all their
# rounds; on two busy cores a write's rate is bound by that CPU, so the cost on throughput is
# 1 - (CPU per write without) / (CPU per write with) (otel_*_cpu_cost_pct), and that is the figure the target is
# judged by. The request rates (otel_*_rps, the mean over each kind's rounds) are recorded too.
#
# Uses run.sh's $dll, $out (api-targets.txt: the API's half of the commitments), $owner_cs, $apiport, $warm_seconds,
# $visits, api_start, stop_api, wait_for_chain, record, cpu_seconds, psql_.
telemetry_overhead() {
  local sinkport sink_pid endpoint kinds=(off sampled on) instances=() kind inst i r cycle port pid_name
  local round_seconds=${OTEL_ROUND_SECONDS:-10}
  local otel_cycles=${OTEL_CYCLES:-6}
  local replicas=${OTEL_PROCESSES:-2}
  sinkport=$(free_port 4318)
  python3 bench/otlp_sink.py "$sinkport" >"$out/otlp-sink.json" &
  sink_pid=$!
  on_exit "kill $sink_pid 2>/dev/null"
  endpoint=http://127.0.0.1:$sinkport
  wait_for_chain
  # Instances in load order: off-1 sampled-1 on-1 off-2 ..., so the kinds alternate within every cycle.
  for ((r = 1; r <= replicas; r++)); do for kind in "${kinds[@]}"; do instances+=("$kind-$r"); done; done
  local -A port_of pid_of requests_of cpu_of rates_of
  port=$((apiport + 1)); i=0
  for inst in "${instances[@]}"; do
    kind=${inst%-*}
    port=$(free_port "$port")
    local env=(Database__ApplySchemaOnStartup=false Database__DaemonMode=Disabled "ConnectionStrings__Strategy=$owner_cs;Application Name=bench-otel-$inst")
    # The standard variables, as an operator sets them; a short export interval so metrics go out during the run.
    [[ $kind != off ]] && env+=(OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_METRIC_EXPORT_INTERVAL=5000)
    [[ $kind == on ]] && env+=(OTEL_TRACES_SAMPLER=parentbased_always_on)
    api_start "otel_${inst//-/_}" "$port" "${env[@]}"
    pid_name=otel_${inst//-/_}_pid
    port_of[$inst]=$port; pid_of[$inst]=${!pid_name}
    awk -v i="$i" -v n="${#instances[@]}" 'NR % n == i' "$out/api-targets.txt" >"$out/otel-targets-$inst.txt"
    port=$((port + 1)); i=$((i + 1))
  done
  for kind in "${kinds[@]}"; do requests_of[$kind]=0; cpu_of[$kind]=0; rates_of[$kind]=""; done
  local refused=0
  # cpu_snapshot INSTANCE FILE: "pid seconds" of CPU used so far by the API and by each of its PostgreSQL backends.
  cpu_snapshot() {
    local p used
    { echo "${pid_of[$1]} $(cpu_seconds "${pid_of[$1]}")"
      # A backend that ends between the listing and the read is left out, not read as 0.
      for p in $(psql_ -c "select pid from pg_stat_activity where application_name = 'bench-otel-$1'"); do
        if used=$(cpu_seconds "$p" 2>/dev/null); then echo "$p $used"; fi
      done; } >"$2"
  }
  # cpu_between BEFORE AFTER: seconds used in between, by the processes alive at the end (a backend that started in
  # between counts whole; one the pool closed in between, idle, is left out rather than subtracted).
  cpu_between() { awk 'NR == FNR { before[$1] = $2; next } { total += $2 - ($1 in before ? before[$1] : 0) } END { printf "%.3f", total }' "$1" "$2"; }
  # load INSTANCE SECONDS OUTPUT: the write load on one API. Each run continues its commitments' walks where the last
  # left them (run.sh's visits file, shared: the APIs take turns): a round starting afresh would put commitments the
  # last left on hold on hold again (409).
  load() { wrk -t2 -c16 -d"${2}s" -s bench/writes.lua "http://127.0.0.1:${port_of[$1]}" -- "$out/otel-targets-$1.txt" 2 "$visits" >"$3"; }
  for inst in "${instances[@]}"; do load "$inst" "$warm_seconds" /dev/null; done
  # One short turn each, not counted: the first ones sat idle while the others warmed up.
  for inst in "${instances[@]}"; do load "$inst" 5 /dev/null; done
  local used n rps
  for ((cycle = 1; cycle <= otel_cycles; cycle++)); do
    # Each cycle starts one further along: no instance always follows the same one.
    for ((i = 0; i < ${#instances[@]}; i++)); do
      inst=${instances[$(((i + cycle - 1) % ${#instances[@]}))]}
      kind=${inst%-*}
      cpu_snapshot "$inst" "$out/cpu-before.txt"
      load "$inst" "$round_seconds" "$out/otel-$inst-$cycle.txt"
      cpu_snapshot "$inst" "$out/cpu-after.txt"
      used=$(cpu_between "$out/cpu-before.txt" "$out/cpu-after.txt")
      n=$(tail -n 1 "$out/otel-$inst-$cycle.txt" | json requests); rps=$(tail -n 1 "$out/otel-$inst-$cycle.txt" | json rps)
      requests_of[$kind]=$((requests_of[$kind] + n))
      refused=$((refused + $(tail -n 1 "$out/otel-$inst-$cycle.txt" | json non2xx) + $(tail -n 1 "$out/otel-$inst-$cycle.txt" | json socketErrors)))
      cpu_of[$kind]=$(calc "${cpu_of[$kind]} + $used" 3)
      rates_of[$kind]+="${rates_of[$kind]:+ }$rps"
      log "telemetry $inst, cycle $cycle: $(tail -n 1 "$out/otel-$inst-$cycle.txt"), CPU per write (API and its backends) $(calc "1000 * $used / $n" 3) ms"
    done
  done
  for inst in "${instances[@]}"; do stop_api "${pid_of[$inst]}"; done
  kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
  log "OTLP sink received: $(cat "$out/otlp-sink.json")"

  local off_cpu on_cpu sampled_cpu
  off_cpu=$(calc "1000 * ${cpu_of[off]} / ${requests_of[off]}" 3); on_cpu=$(calc "1000 * ${cpu_of[on]} / ${requests_of[on]}" 3)
  sampled_cpu=$(calc "1000 * ${cpu_of[sampled]} / ${requests_of[sampled]}" 3)
  otel_rate() { calc "${requests_of[$1]} / ($otel_cycles * $replicas * $round_seconds)" 1; }
  record otel_off_rps "$(otel_rate off)"; record otel_on_rps "$(otel_rate on)"; record otel_sampled_rps "$(otel_rate sampled)"
  record otel_cost_pct "$(calc "100 * ($(otel_rate off) - $(otel_rate on)) / $(otel_rate off)" 1)"
  record otel_sampled_cost_pct "$(calc "100 * ($(otel_rate off) - $(otel_rate sampled)) / $(otel_rate off)" 1)"
  record otel_rounds "in turn, $otel_cycles cycles of ${round_seconds} s, $replicas processes a kind: off ${rates_of[off]}; every trace ${rates_of[on]}; one in ten (default) ${rates_of[sampled]} req/s"
  record otel_off_cpu_ms "$off_cpu"; record otel_on_cpu_ms "$on_cpu"; record otel_sampled_cpu_ms "$sampled_cpu"
  record otel_cpu_cost_pct "$(calc "100 * (1 - $off_cpu / $on_cpu)" 1)"
  record otel_sampled_cpu_cost_pct "$(calc "100 * (1 - $off_cpu / $sampled_cpu)" 1)"
  # Writes refused or failed do less work than writes: a share of them makes a round's CPU per write unlike the others'.
  # A few are expected: a write wrk abandons as a run ends may not be made, so its commitment's walk is one step ahead.
  record otel_non2xx "$refused"; record otel_requests "$((requests_of[off] + requests_of[sampled] + requests_of[on]))"
  record otel_cpu_rounds "$otel_cycles cycles of ${round_seconds} s in turn, $replicas processes a kind; ${requests_of[off]} / ${requests_of[sampled]} / ${requests_of[on]} writes"
  log "telemetry, CPU per write (API and its backends): without $off_cpu ms, one trace in ten $sampled_cpu ms, every trace $on_cpu ms"
}
