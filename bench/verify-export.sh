#!/usr/bin/env bash
# Times the offline verifier on an unfiltered JSONL export against a signed checkpoint, and runs it on a copy with one
# line's data altered.
#
#   bench/verify-export.sh [EVENTS]      (default 200000; KEEP=1 keeps the export, key and checkpoint)
#
# Starts its own PostgreSQL and a Release build of the API (demo plan loaded), appends EVENTS value-submitted events by
# SQL (append_value_events in lib.sh), waits for the audit chain, and exports the whole log as JSONL. It makes a P-256
# key with openssl and signs a checkpoint at the chain's head with it (bench/Strategy.Bench sign-checkpoint, i.e.
# AuditCheckpoints.Sign). Then it stops the API and PostgreSQL and runs
#   dotnet Strategy.Api.dll verify-export --file audit.jsonl --checkpoint checkpoint.json --public-key public.pem
# with an empty environment (no connection string, no settings) three times, timing each (wall clock, CPU time and
# peak RSS; the load average of the machine is printed, as a busy machine stretches the wall clock),
# and once on a copy whose middle line has its data's value changed. PASS when every run on the export is valid and
# under 10 s and the tampered copy is invalid at that line; exits 1 on a FAIL.
name=verify-export
source "$(dirname "$(readlink -f "$0")")/lib.sh"
events=${1:-200000}
bound_s=10

pg_start 56200
api_build
log "building bench/Strategy.Bench (Release)..."
dotnet build bench/Strategy.Bench -c Release -v q -nologo >"$out/bench-build.log" 2>&1 || { tail -n 30 "$out/bench-build.log" >&2; exit 1; }
bench_tool=$repo/bench/Strategy.Bench/bin/Release/net10.0/Strategy.Bench.dll
apiport=$(free_port 5190)
api_start api "$apiport" ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Strategy="$owner_cs" Seed__DemoPlan=true \
  Logging__LogLevel__Default=Warning
token=$(ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token --role reviewer --name "Bench reviewer")

append_value_events "$events"
wait_for_chain
t0=$(now)
curl -sf -H "Authorization: Bearer $token" -o "$out/audit.jsonl" "http://127.0.0.1:$apiport/api/audit/export?format=jsonl"
lines=$(wc -l < "$out/audit.jsonl")
log "exported $lines lines, $(stat -c %s "$out/audit.jsonl") bytes, in $(calc "$(now) - $t0" 2) s"

read -r sequence hash < <(psql_ -F ' ' -c "select data->>'sequence', data->>'hash' from strategy.mt_doc_auditchainhead")
openssl ecparam -name prime256v1 -genkey -noout -out "$out/key.pem" 2>/dev/null
openssl ec -in "$out/key.pem" -pubout -out "$out/public.pem" 2>/dev/null
dotnet "$bench_tool" sign-checkpoint "$out/key.pem" "$sequence" "$hash" > "$out/checkpoint.json"
log "checkpoint: $(cat "$out/checkpoint.json")"

# Nothing but the files from here on.
api_stop "$api_pid"
deploy/postgres.sh stop "$pgdir" >/dev/null

# verify FILE: one offline run; sets $v_out (its line), $v_rc, $v_s (wall seconds), $v_cpu (user + system seconds,
# over both cores) and $v_mb (peak RSS).
verify() {
  local user sys kb
  set +e
  v_out=$(env -i PATH="$PATH" HOME="$HOME" /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" \
    dotnet "$dll" verify-export --file "$1" --checkpoint "$out/checkpoint.json" --public-key "$out/public.pem")
  v_rc=$?
  set -e
  # The last line: time puts "Command exited with non-zero status N" before it.
  read -r v_s user sys kb < <(tail -n 1 "$out/time.txt")
  v_cpu=$(calc "$user + $sys" 2)
  v_mb=$(calc "$kb / 1024")
}
load() { cut -d ' ' -f 1 /proc/loadavg; }

failed=0
for run in 1 2 3; do
  verify "$out/audit.jsonl"
  echo "run $run: exit $v_rc, $v_s s (CPU $v_cpu s, load average $(load)), peak RSS $v_mb MB: $v_out"
  if [[ $v_rc -eq 0 && $(calc "$v_s < $bound_s" 0) == 1 ]]; then
    echo "PASS  verify-export on $lines lines against the checkpoint: valid in $v_s s (bound $bound_s s)"
  else
    echo "FAIL  verify-export on $lines lines: exit $v_rc in $v_s s (bound $bound_s s)"; failed=1
  fi
done

# The middle line's data changed, as an editor of the file would: the value, and nothing else.
n=$(( (lines + 1) / 2 ))
python3 - "$out/audit.jsonl" "$out/tampered.jsonl" "$n" <<'PY'
import json, sys
source, target, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(source, encoding="utf-8") as i, open(target, "w", encoding="utf-8") as o:
    for k, line in enumerate(i, 1):
        if k == n:
            entry = json.loads(line)
            entry["data"]["value"] = (entry["data"].get("value") or 0) + 1
            line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        o.write(line)
PY
verify "$out/tampered.jsonl"
echo "tampered (line $n): exit $v_rc, $v_s s (CPU $v_cpu s, load average $(load)): $v_out"
if [[ $v_rc -eq 1 && "$v_out" == "invalid: line $n "* ]]; then
  echo "PASS  the tampered copy is invalid at line $n, the line altered"
else
  echo "FAIL  the tampered copy: expected exit 1 naming line $n"; failed=1
fi
exit $failed
