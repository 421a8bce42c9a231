#!/usr/bin/env bash
# Measures the API's memory growth while it streams the audit log as JSONL and CSV.
#
#   bench/audit-export-memory.sh [EVENTS]      (default 200000)
#
# Starts its own PostgreSQL and a Release build of the API (demo plan loaded), appends EVENTS value-submitted
# events by SQL (append_value_events in lib.sh: the export reads the log as stored, joined only to the commitment and
# plan views, so SQL-made events are read exactly like API-made ones), waits until the async audit chain has caught
# up, then exports the whole log. Memory growth = the process's peak RSS during the export (VmHWM, reset just before)
# minus its RSS just before. Prints one line per format and stops everything it started.
name=audit-export
source "$(dirname "$(readlink -f "$0")")/lib.sh"
events=${1:-200000}

pg_start 56100
cs=$owner_cs
api_build
apiport=$(free_port 5180)
api_start api "$apiport" ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Strategy="$cs" Seed__DemoPlan=true \
  Logging__LogLevel__Default=Warning
token=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role reviewer --name "Bench reviewer")
get() { curl -sf -H "Authorization: Bearer $token" "$@"; }

append_value_events "$events"
# The async daemon chains the new events; measure the export once it is idle, so only the export is counted.
wait_for_chain
t2=$(date +%s.%N)
verify=$(get "http://127.0.0.1:$apiport/api/audit/verify")
echo "verify: $verify ($(calc "$(date +%s.%N) - $t2" 2) s)" >&2

# Warm-up: JIT and pools, with a small filtered export.
get -o /dev/null "http://127.0.0.1:$apiport/api/audit/export?format=jsonl&type=commitment-made"
get -o /dev/null "http://127.0.0.1:$apiport/api/audit/export?format=csv&type=commitment-made"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$api_pid/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$api_pid/status"; }
printf "%-7s %10s %12s %10s %12s %12s %12s\n" format entries bytes seconds rss_before_MB peak_MB growth_MB
for format in jsonl csv; do
  sleep 1
  before=$(rss_kb)
  echo 5 > "/proc/$api_pid/clear_refs"   # resets VmHWM to the current RSS
  s=$(date +%s.%N)
  get -o "$out/export.$format" "http://127.0.0.1:$apiport/api/audit/export?format=$format"
  e=$(date +%s.%N)
  peak=$(hwm_kb)
  if [[ $format == jsonl ]]; then entries=$(wc -l < "$out/export.$format"); else entries=$(python3 -c "import csv,sys; csv.field_size_limit(10**9); print(sum(1 for _ in csv.reader(open('$out/export.csv', newline=''))) - 1)"); fi
  printf "%-7s %10s %12s %10.2f %12.1f %12.1f %12.1f\n" "$format" "$entries" "$(stat -c %s "$out/export.$format")" \
    "$(calc "$e - $s" 2)" "$(calc "$before / 1024")" "$(calc "$peak / 1024")" "$(calc "($peak - $before) / 1024")"
done
