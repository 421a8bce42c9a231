# Sourced by bench/run.sh: the web screens' budgets at the run's size (issue: screens p95 <= 150 ms, a page <= 100 kB
# compressed). The API is restarted with the development sign-in page on (Auth:DevelopmentSignIn, refused only in
# Production, so this scenario runs it as Staging) to open sessions as a focal point of KH and as the secretariat; then
# each screen is read 200 times in a row over one connection (bench/latency.py, after 10 not counted) and its
# first visit's transfer size taken (bench/screens.py size). Records screen_<name>_p50/_p95 and screen_<name>_kb.
#
# Uses run.sh's $dll, $apiport, $out, psql_, api_start, stop_api, wait_for_chain, record, log, json.
# repeat PATH: the path 210 times, a line each (not yes | head: pipefail would end the run on yes's SIGPIPE).
repeat() { local i; for i in $(seq 210); do echo "$1"; done; }

screens_budget() {
  local fp_cookie sec_cookie screen path cookie result
  wait_for_chain
  stop_api "$api_pid"
  api_start api "$apiport" ASPNETCORE_ENVIRONMENT=Staging Database__ApplySchemaOnStartup=false Auth__DevelopmentSignIn=true
  fp_cookie=$(python3 bench/screens.py signin 127.0.0.1 "$apiport" focal-point KH)
  sec_cookie=$(python3 bench/screens.py signin 127.0.0.1 "$apiport" secretariat)
  # Commitment pages: KH's commitments in a random order (the focal point's own), 210 of them (repeated when fewer).
  psql_ -c "select '/commitments/' || id from strategy.mt_doc_commitmentview, generate_series(1, 210) n
            where data->'state'->>'country' = 'KH' order by n, md5(id::text) limit 210" >"$out/screen-commitments.txt"
  for screen in home commitment review plan; do
    case $screen in
      home) cookie=$fp_cookie; repeat /country >"$out/screen-paths.txt" ;;
      commitment) cookie=$fp_cookie; cp "$out/screen-commitments.txt" "$out/screen-paths.txt" ;;
      review) cookie=$sec_cookie; repeat /review >"$out/screen-paths.txt" ;;
      plan) cookie=$sec_cookie; repeat /plan >"$out/screen-paths.txt" ;;
    esac
    result=$(python3 bench/latency.py 127.0.0.1 "$apiport" "cookie:$cookie" 10 <"$out/screen-paths.txt")
    log "screen $screen: $result"
    record "screen_${screen}_p50" "$(json p50 <<<"$result")"; record "screen_${screen}_p95" "$(json p95 <<<"$result")"
    path=$(head -n 1 "$out/screen-paths.txt")
    result=$(python3 bench/screens.py size 127.0.0.1 "$apiport" "$cookie" "$path")
    log "screen $screen size: $result"
    record "screen_${screen}_kb" "$(calc "$(json total <<<"$result") / 1024" 1)"
  done
  stop_api "$api_pid"
  api_start api "$apiport" Database__ApplySchemaOnStartup=false
}
