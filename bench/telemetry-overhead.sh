# Sourced by bench/run.sh (after its write scenario, on the same data and targets): what telemetry costs writes.
# Three APIs are started on the same database and kept running: one without telemetry, one exporting traces, metrics
# and logs over OTLP/HTTP to a local sink (bench/otlp_sink.py, which accepts everything) with the service's default
# sampling (one trace in ten), and one keeping every trace. Each is warmed up alone and given one more short turn, not
# counted; then they take the write load in turn, one at a time, in short rounds (OTEL_CYCLES cycles, default 6, of
# OTEL_ROUND_SECONDS, default 10, each cycle's order one further along: A C B, C B A, B A C, ...): every process
# stays warm, and whatever else the machine does moves all three alike instead of falling on one side (taken in six
# fresh processes one after another, CPU time per write moved by up to a third between rounds of one kind on a shared
# host, more than the cost measured). Each API writes its own third of the commitments. The run.sh API stays up,
# unloaded, and runs the async daemon (the audit chain) for all; the three run none.
#
# Each API's cost of a write is its own CPU time plus that of its PostgreSQL backends (found by the connection's
# application name; a backend its pool closes while idle is left out), per request, over all its rounds; on two busy
# cores a write's rate is bound by that CPU, so the cost on throughput is 1 - (CPU per write without) / (CPU per write
# with) (otel_*_cpu_cost_pct), and that is the figure the target is judged by. The request rates (otel_*_rps, the mean
# over each side's rounds) are recorded too.
#
# Uses run.sh's $dll, $out, $owner_cs, $apiport, $warm_seconds, api_start, stop_api, wait_for_chain, record,
# cpu_seconds, psql_.
telemetry_overhead() {
  local sinkport sink_pid endpoint kinds=(off sampled on) kind i cycle port pid_name
  local round_seconds=${OTEL_ROUND_SECONDS:-10}
  local otel_cycles=${OTEL_CYCLES:-6}
  sinkport=$(free_port 4318)
  python3 bench/otlp_sink.py "$sinkport" >"$out/otlp-sink.json" &
  sink_pid=$!
  on_exit "kill $sink_pid 2>/dev/null"
  endpoint=http://127.0.0.1:$sinkport
  wait_for_chain
  local -A port_of pid_of requests_of cpu_of rates_of
  port=$((apiport + 1)); i=0
  for kind in "${kinds[@]}"; do
    port=$(free_port "$port")
    local env=(Database__ApplySchemaOnStartup=false Database__DaemonMode=Disabled "ConnectionStrings__Strategy=$owner_cs;Application Name=bench-otel-$kind")
    # The standard variables, as an operator sets them; a short export interval so metrics go out during the run.
    [[ $kind != off ]] && env+=(OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_METRIC_EXPORT_INTERVAL=5000)
    [[ $kind == on ]] && env+=(OTEL_TRACES_SAMPLER=parentbased_always_on)
    api_start "otel_$kind" "$port" "${env[@]}"
    pid_name=otel_${kind}_pid
    port_of[$kind]=$port; pid_of[$kind]=${!pid_name}
    requests_of[$kind]=0; cpu_of[$kind]=0; rates_of[$kind]=""
    awk -v i="$i" 'NR % 3 == i' "$out/targets.txt" >"$out/otel-targets-$kind.txt"
    port=$((port + 1)); i=$((i + 1))
  done
  # cpu_snapshot KIND FILE: "pid seconds" of CPU used so far by the API and by each of its PostgreSQL backends.
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
  # load KIND SECONDS OUTPUT: the write load on one API.
  load() { wrk -t2 -c16 -d"${2}s" -s bench/writes.lua "http://127.0.0.1:${port_of[$1]}" -- "$out/otel-targets-$1.txt" 2 >"$3"; }
  for kind in "${kinds[@]}"; do load "$kind" "$warm_seconds" /dev/null; done
  # One short turn each, not counted: the first two sat idle while the others warmed up.
  for kind in "${kinds[@]}"; do load "$kind" 5 /dev/null; done
  local used n rps
  for ((cycle = 1; cycle <= otel_cycles; cycle++)); do
    # Each cycle starts one further along (A C B, C B A, B A C, ...): no kind always follows the same one.
    for ((i = 0; i < ${#kinds[@]}; i++)); do
      kind=${kinds[$(((i + cycle - 1) % ${#kinds[@]}))]}
      cpu_snapshot "$kind" "$out/cpu-before.txt"
      load "$kind" "$round_seconds" "$out/otel-$kind-$cycle.txt"
      cpu_snapshot "$kind" "$out/cpu-after.txt"
      used=$(cpu_between "$out/cpu-before.txt" "$out/cpu-after.txt")
      n=$(tail -n 1 "$out/otel-$kind-$cycle.txt" | json requests); rps=$(tail -n 1 "$out/otel-$kind-$cycle.txt" | json rps)
      requests_of[$kind]=$((requests_of[$kind] + n))
      cpu_of[$kind]=$(calc "${cpu_of[$kind]} + $used" 3)
      rates_of[$kind]+="${rates_of[$kind]:+ }$rps"
      log "telemetry $kind, cycle $cycle: $(tail -n 1 "$out/otel-$kind-$cycle.txt"), CPU per write (API and its backends) $(calc "1000 * $used / $n" 3) ms"
    done
  done
  for kind in "${kinds[@]}"; do stop_api "${pid_of[$kind]}"; done
  kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
  log "OTLP sink received: $(cat "$out/otlp-sink.json")"

  local off_cpu on_cpu sampled_cpu
  off_cpu=$(calc "1000 * ${cpu_of[off]} / ${requests_of[off]}" 3); on_cpu=$(calc "1000 * ${cpu_of[on]} / ${requests_of[on]}" 3)
  sampled_cpu=$(calc "1000 * ${cpu_of[sampled]} / ${requests_of[sampled]}" 3)
  otel_rate() { calc "${requests_of[$1]} / ($otel_cycles * $round_seconds)" 1; }
  record otel_off_rps "$(otel_rate off)"; record otel_on_rps "$(otel_rate on)"; record otel_sampled_rps "$(otel_rate sampled)"
  record otel_cost_pct "$(calc "100 * ($(otel_rate off) - $(otel_rate on)) / $(otel_rate off)" 1)"
  record otel_sampled_cost_pct "$(calc "100 * ($(otel_rate off) - $(otel_rate sampled)) / $(otel_rate off)" 1)"
  record otel_rounds "in turn, $otel_cycles cycles of ${round_seconds} s: off ${rates_of[off]}; every trace ${rates_of[on]}; one in ten (default) ${rates_of[sampled]} req/s"
  record otel_off_cpu_ms "$off_cpu"; record otel_on_cpu_ms "$on_cpu"; record otel_sampled_cpu_ms "$sampled_cpu"
  record otel_cpu_cost_pct "$(calc "100 * (1 - $off_cpu / $on_cpu)" 1)"
  record otel_sampled_cpu_cost_pct "$(calc "100 * (1 - $off_cpu / $sampled_cpu)" 1)"
  record otel_cpu_rounds "$otel_cycles cycles of ${round_seconds} s in turn; ${requests_of[off]} / ${requests_of[sampled]} / ${requests_of[on]} writes"
  log "telemetry, CPU per write (API and its backends): without $off_cpu ms, one trace in ten $sampled_cpu ms, every trace $on_cpu ms"
}
