# Sourced by bench/run.sh (after its write scenario, on the same data and targets): what telemetry costs writes.
# The API is restarted four times, alternately without telemetry (A) and exporting traces, metrics and logs over
# OTLP/HTTP to a local sink (B: bench/otlp_sink.py, which accepts everything), A B A B, so noise from other work on the
# machine falls on both, and a third kind of round with the default sampling, one trace in ten (C), A B C C B A; each round has the write scenario's warm-up and run (wrk, bench/writes.lua). Records
# otel_off_rps and otel_on_rps (the mean of each side's two rounds) and otel_cost_pct; and the API's CPU time per write
# and PostgreSQL's CPU time per write in each round (otel_*_cpu_ms): the rates move with other work on the machine by as
# much as the cost measured, the CPU a write takes far less. On these two busy cores a write's rate is bound by its CPU,
# so the cost on throughput is 1 - (CPU per write without) / (CPU per write with) (otel_*_cpu_cost_pct), and that is
# the figure the target is judged by.
#
# Uses run.sh's $dll, $apiport, $base, $out, $warm_seconds, $write_seconds, api_start, stop_api, wait_for_chain, record,
# cpu_seconds, postmaster_pid.
telemetry_overhead() {
  local sinkport sink_pid round side rps cpu0 cpu1 cpu off=() on=() sampled=() off_cpu=() on_cpu=() sampled_cpu=() endpoint
  sinkport=$(free_port 4318)
  python3 bench/otlp_sink.py "$sinkport" >"$out/otlp-sink.json" &
  sink_pid=$!
  on_exit "kill $sink_pid 2>/dev/null"
  endpoint=http://127.0.0.1:$sinkport
  # A B C C B A: the data grows with every round and writes slow with it, a drift this order cancels to first order.
  local order=(off on sampled sampled on off)
  for round in 1 2 3 4 5 6; do
    side=${order[$((round - 1))]}
    # The chain is built by the running API's daemon: caught up first, then the API is stopped.
    wait_for_chain
    stop_api "$api_pid"
    if [[ $side == on ]]; then
      # The standard variables, as an operator sets them; a short export interval so metrics go out during the run;
      # every trace kept.
      api_start api "$apiport" Database__ApplySchemaOnStartup=false OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" \
        OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_METRIC_EXPORT_INTERVAL=5000 OTEL_TRACES_SAMPLER=parentbased_always_on
    elif [[ $side == sampled ]]; then
      # The same with the service's default sampling: one trace in ten.
      api_start api "$apiport" Database__ApplySchemaOnStartup=false OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" \
        OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_METRIC_EXPORT_INTERVAL=5000
    else
      api_start api "$apiport" Database__ApplySchemaOnStartup=false
    fi
    wrk -t2 -c16 -d"${warm_seconds}s" -s bench/writes.lua "$base" -- "$out/targets.txt" 2 >/dev/null
    cpu0=$(calc "$(cpu_seconds "$api_pid") + $(cpu_seconds "$(postmaster_pid)" 1)" 3)
    wrk -t2 -c16 -d"${write_seconds}s" -s bench/writes.lua "$base" -- "$out/targets.txt" 2 >"$out/otel-$round.txt"
    cpu1=$(calc "$(cpu_seconds "$api_pid") + $(cpu_seconds "$(postmaster_pid)" 1)" 3)
    rps=$(tail -n 1 "$out/otel-$round.txt" | json rps)
    cpu=$(calc "1000 * ($cpu1 - $cpu0) / $(tail -n 1 "$out/otel-$round.txt" | json requests)" 3)
    log "telemetry $side (round $round): $(tail -n 1 "$out/otel-$round.txt"), CPU per write (API and PostgreSQL) $cpu ms"
    case $side in
      on) on+=("$rps"); on_cpu+=("$cpu") ;;
      sampled) sampled+=("$rps"); sampled_cpu+=("$cpu") ;;
      *) off+=("$rps"); off_cpu+=("$cpu") ;;
    esac
  done
  kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
  log "OTLP sink received: $(cat "$out/otlp-sink.json")"
  local off_mean on_mean sampled_mean
  off_mean=$(calc "(${off[0]} + ${off[1]}) / 2" 1); on_mean=$(calc "(${on[0]} + ${on[1]}) / 2" 1)
  sampled_mean=$(calc "(${sampled[0]} + ${sampled[1]}) / 2" 1)
  record otel_off_rps "$off_mean"; record otel_on_rps "$on_mean"; record otel_sampled_rps "$sampled_mean"
  record otel_cost_pct "$(calc "100 * ($off_mean - $on_mean) / $off_mean" 1)"
  record otel_sampled_cost_pct "$(calc "100 * ($off_mean - $sampled_mean) / $off_mean" 1)"
  record otel_rounds "off ${off[0]} ${off[1]}, every trace ${on[0]} ${on[1]}, one in ten (default) ${sampled[0]} ${sampled[1]}"
  local off_cpu_mean on_cpu_mean sampled_cpu_mean
  off_cpu_mean=$(calc "(${off_cpu[0]} + ${off_cpu[1]}) / 2" 3); on_cpu_mean=$(calc "(${on_cpu[0]} + ${on_cpu[1]}) / 2" 3)
  sampled_cpu_mean=$(calc "(${sampled_cpu[0]} + ${sampled_cpu[1]}) / 2" 3)
  record otel_off_cpu_ms "$off_cpu_mean"; record otel_on_cpu_ms "$on_cpu_mean"; record otel_sampled_cpu_ms "$sampled_cpu_mean"
  record otel_cpu_cost_pct "$(calc "100 * (1 - $off_cpu_mean / $on_cpu_mean)" 1)"
  record otel_sampled_cpu_cost_pct "$(calc "100 * (1 - $off_cpu_mean / $sampled_cpu_mean)" 1)"
  record otel_cpu_rounds "off ${off_cpu[0]} ${off_cpu[1]}, every trace ${on_cpu[0]} ${on_cpu[1]}, one in ten (default) ${sampled_cpu[0]} ${sampled_cpu[1]}"
  log "telemetry, CPU per write (API and PostgreSQL): without $off_cpu_mean ms, every trace $on_cpu_mean ms, one trace in ten $sampled_cpu_mean ms"
  log "telemetry overhead: without $off_mean, every trace $on_mean ($(calc "100 * ($off_mean - $on_mean) / $off_mean" 1) %), one trace in ten $sampled_mean ($(calc "100 * ($off_mean - $sampled_mean) / $off_mean" 1) %) writes/s"
}
