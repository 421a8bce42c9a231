# Sourced by bench/run.sh (after its write scenario, on the same data and targets): what telemetry costs writes.
# The API is restarted four times, alternately without telemetry (A) and exporting traces, metrics and logs over
# OTLP/HTTP to a local sink (B: bench/otlp_sink.py, which accepts everything), A B A B, so noise from other work on the
# machine falls on both, and a third kind of round with the default sampling, one trace in ten (C), A B C C B A; each round has the write scenario's warm-up and run (wrk, bench/writes.lua). Records
# otel_off_rps and otel_on_rps (the mean of each side's two rounds) and otel_cost_pct.
#
# Uses run.sh's $dll, $apiport, $base, $out, $warm_seconds, $write_seconds, api_start, stop_api, wait_for_chain, record.
telemetry_overhead() {
  local sinkport sink_pid round side rps off=() on=() sampled=() endpoint
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
    wrk -t2 -c16 -d"${write_seconds}s" -s bench/writes.lua "$base" -- "$out/targets.txt" 2 >"$out/otel-$round.txt"
    rps=$(tail -n 1 "$out/otel-$round.txt" | json rps)
    log "telemetry $side (round $round): $(tail -n 1 "$out/otel-$round.txt")"
    case $side in on) on+=("$rps") ;; sampled) sampled+=("$rps") ;; *) off+=("$rps") ;; esac
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
  log "telemetry overhead: without $off_mean, every trace $on_mean ($(calc "100 * ($off_mean - $on_mean) / $off_mean" 1) %), one trace in ten $sampled_mean ($(calc "100 * ($off_mean - $sampled_mean) / $off_mean" 1) %) writes/s"
}
