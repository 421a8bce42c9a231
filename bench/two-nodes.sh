#!/usr/bin/env bash
# Two API nodes on one PostgreSQL: writes through both interleave correctly, each Hangfire job runs once, the async
# daemon (audit chain) is active on exactly one node and moves to the other when that node is killed.
#
#   bench/two-nodes.sh [REPORTS]       (default 10)
#
# Starts its own PostgreSQL, applies the schema as the owner (`migrate`, which also sets up the least-privilege role)
# and runs two Release API processes as that role on two ports, each with its own `Application Name` in the connection
# string ("strategy-node-a", "strategy-node-b"), so the database can tell their connections apart. Then checks:
#   - If-Match across nodes: a version read on one node and overtaken by a write through the other gets 412, both ways;
#   - racing conditional writes: the same If-Match sent through both nodes at once: one 2xx and one 412 per round;
#   - concurrent writes through both nodes, to distinct commitments and all to the same one: every acknowledged write
#     is stored exactly once (its value_submitted, found by its note, followed by its value_accepted), stream versions
#     have no gap, and both nodes serve the final version;
#   - reports requested through alternating nodes: each has one report-started and one report-succeeded event, and
#     Hangfire's job history shows one Processing and one Succeeded state per job (and which node ran it);
#   - daemon: Marten's HotCold leader holds a PostgreSQL advisory lock per async projection shard (one here:
#     AuditChain). pg_locks joined to pg_stat_activity names the node that holds it; sampled, exactly one holds it;
#   - takeover: the leader gets SIGKILL; events written through the survivor are chained (GET /api/audit/verify
#     eventsPending reaches 0 through the survivor) within a bounded wait; the killed node, restarted, stays cold;
#   - the audit chain is valid over every event.
# Every write is the secretariat's: a value it submits is accepted on entry, so POST .../progress appends two events
# (value_submitted, value_accepted) and raises the commitment's version by 2.
# Prints PASS/FAIL lines with figures. Environment: KEEP=1 keeps the data and logs (paths printed).
name=two-nodes
source "$(dirname "$(readlink -f "$0")")/lib.sh"
reports=${1:-10}

declare -A pid=() port=()
pg_start 56250
port[a]=$(free_port 5380); port[b]=$(free_port $((port[a] + 1)))
url() { echo "http://127.0.0.1:${port[$1]}"; }

api_build
export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning RateLimits__ReadsPerMinute=0
api_migrate_app_role strategy_app two_nodes_pw

start_node() {  # name, seed
  api_start "node_$1" "${port[$1]}" ConnectionStrings__Strategy="$app_cs;Application Name=strategy-node-$1" \
    Database__ApplySchemaOnStartup=false Database__DaemonMode=HotCold Seed__DemoPlan="$2"
  local started="node_$1_pid"
  pid[$1]=${!started}
}

token() { ASPNETCORE_ENVIRONMENT=Development dotnet "$dll" token "$@"; }
sec=$(token --role secretariat --name "Two-node bench secretariat")
rev=$(token --role reviewer --name "Two-node bench reviewer")

# Node a seeds the demo plan; b joins once it is there (two seeders racing would be a test of the seeder, not of this).
start_node a true
for _ in $(seq 120); do curl -sf -o /dev/null -H "Authorization: Bearer $rev" "$(url a)/api/plans/LMEC-2023-2027" && break; sleep 0.5; done
start_node b false
log "node a: pid ${pid[a]} port ${port[a]}; node b: pid ${pid[b]} port ${port[b]}"

fails=0
check() {  # description, condition (evaluated), figures
  if eval "$2"; then printf 'PASS  %s: %s\n' "$1" "$3"; else printf 'FAIL  %s: %s\n' "$1" "$3"; fails=$((fails + 1)); fi
}

# Open commitments of the demo plan (not final, not withdrawn), in a stable order.
mapfile -t open < <(curl -sf -H "Authorization: Bearer $rev" "$(url a)/api/plans/LMEC-2023-2027/commitments?pageSize=100" |
  python3 -c 'import json,sys; [print(c["id"]) for c in json.load(sys.stdin) if c["status"] in ("not-started","in-progress","on-hold") and not c.get("withdrawn")]')
(( ${#open[@]} >= 7 )) || { log "too few open commitments (${#open[@]})"; exit 1; }

# The writes and their checks run in one Python program (standard library only): it talks to both nodes at once.
NODE_A=$(url a) NODE_B=$(url b) SEC="$sec" COMMITMENTS="${open[*]}" python3 - >"$out/writes.json" <<'PY'
import json, os, threading, time, urllib.request, urllib.error

A, B, SEC = os.environ["NODE_A"], os.environ["NODE_B"], os.environ["SEC"]
ids = os.environ["COMMITMENTS"].split()

def call(base, method, path, body=None, if_match=None):
    """(status, etag or None, parsed body); retries 429 after Retry-After, so rate limits cannot pass for losses."""
    for _ in range(20):
        req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
        req.add_header("Authorization", "Bearer " + SEC)
        if body is not None: req.add_header("Content-Type", "application/json")
        if if_match is not None: req.add_header("If-Match", f'"{if_match}"')
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers.get("ETag"), json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            if e.code == 429:
                time.sleep(float(e.headers.get("Retry-After") or 1)); continue
            return e.code, e.headers.get("ETag"), None
    return 429, None, None

def version(etag): return int(etag.strip('"')) if etag else None
STEP = 2   # the secretariat's value: value_submitted and value_accepted
def progress(n, note): return {"value": n, "asOf": "2025-06-30", "note": note}
result = {}

# 1. If-Match across nodes, both ways.
c = ids[0]
steps, ok = [], True
for read, write, names in ((A, B, "ab"), (B, A, "ba")):
    s, etag, _ = call(read, "GET", f"/api/commitments/{c}"); v = version(etag)
    s1, e1, _ = call(write, "POST", f"/api/commitments/{c}/progress", progress(1, "if-match fresh"), if_match=v)
    s2, _, _ = call(read, "POST", f"/api/commitments/{c}/progress", progress(2, "if-match stale"), if_match=v)
    ok &= s1 in (200, 201) and s2 == 412 and version(e1) == v + STEP
    steps.append(f"v{v} read on {names[0]}, written on {names[1]} -> {s1} (v{version(e1)}), the same v{v} on {names[0]} -> {s2}")
_, ea, _ = call(A, "GET", f"/api/commitments/{c}"); _, eb, _ = call(B, "GET", f"/api/commitments/{c}")
ok &= version(ea) == version(eb) == v + STEP
result["ifMatch"] = {"ok": ok, "figures": "; ".join(steps) + f"; then a serves v{version(ea)}, b v{version(eb)}"}

# 2. Racing conditional writes: the same If-Match through both nodes at the same instant.
c = ids[1]
outcomes = {}
for r in range(20):
    _, etag, _ = call(A, "GET", f"/api/commitments/{c}"); v = version(etag)
    barrier, got = threading.Barrier(2), {}
    def race(name, base):
        barrier.wait()
        got[name] = call(base, "POST", f"/api/commitments/{c}/progress", progress(r, f"race {r} {name}"), if_match=v)[0]
    ts = [threading.Thread(target=race, args=(n, b)) for n, b in (("a", A), ("b", B))]
    [t.start() for t in ts]; [t.join() for t in ts]
    key = " and ".join(str(x) for x in sorted(got.values()))
    winner = [n for n, x in got.items() if 200 <= x < 300]
    outcomes[key] = outcomes.get(key, 0) + 1
    outcomes["won by " + (winner[0] if len(winner) == 1 else "?")] = outcomes.get("won by " + (winner[0] if len(winner) == 1 else "?"), 0) + 1
one = sum(n for k, n in outcomes.items() if k in ("200 and 412", "201 and 412"))
result["race"] = {"ok": one == 20, "figures": f"{one} of 20 rounds had exactly one 2xx and one 412 ("
                  + ", ".join(f"{k}: {n}" for k, n in sorted(outcomes.items())) + ")"}

# 3. Concurrent unconditional writes: 8 writers (4 per node), 25 writes each; writers 0-3 each on a commitment of
#    their own, writers 4-7 all on the same one. Each write carries a unique note, so the store can be searched for it.
acked, statuses, lock = [], {}, threading.Lock()
def writer(w):
    base = A if w % 2 == 0 else B
    c = ids[2 + w] if w < 4 else ids[6]
    for i in range(25):
        note = f"two-nodes w{w} i{i}"
        s, _, _ = call(base, "POST", f"/api/commitments/{c}/progress", progress(i, note))
        with lock:
            statuses[s] = statuses.get(s, 0) + 1
            if 200 <= s < 300: acked.append((c, note))
t0 = time.time()
ts = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
result["concurrent"] = {"seconds": round(time.time() - t0, 2), "statuses": statuses, "acked": acked,
                        "commitments": sorted({c for c, _ in acked})}
print(json.dumps(result))
PY

verdict() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[sys.argv[2]]; print("ok" if r["ok"] else "bad", r["figures"])' "$out/writes.json" "$1"; }
ifm=$(verdict ifMatch)
check "If-Match across nodes" '[[ ${ifm%% *} == ok ]]' "${ifm#* }"
race=$(verdict race)
check "racing If-Match through both nodes" '[[ ${race%% *} == ok ]]' "${race#* }"

# Every acknowledged write stored exactly once; nothing stored that was not acknowledged; no version gap; views current.
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["concurrent"]; [print(c + "\t" + n) for c, n in r["acked"]]' "$out/writes.json" >"$out/acked.tsv"
psql_ -c "create temp table acked(stream_id uuid, note text)" -c "\copy acked from '$out/acked.tsv'" \
  -c "create temp table found as select e.stream_id, e.data->>'note' as note, count(*) as n,
          count(*) filter (where exists (select 1 from strategy.mt_events a where a.type = 'value_accepted' and a.stream_id = e.stream_id
                                           and a.data->>'valueId' = e.data->>'valueId' and a.seq_id > e.seq_id)) as accepted
        from strategy.mt_events e where e.type = 'value_submitted' and e.data->>'note' like 'two-nodes %' group by 1, 2" \
  -c "select (select count(*) from acked), (select coalesce(sum(n), 0) from found),
             (select count(*) from acked a where not exists (select 1 from found f where f.stream_id = a.stream_id and f.note = a.note)),
             (select count(*) from found where n > 1),
             (select count(*) from found f where not exists (select 1 from acked a where a.stream_id = f.stream_id and a.note = f.note)),
             (select coalesce(sum(n - accepted), 0) from found)" \
  >"$out/tally.txt"
IFS='|' read -r acked found lost duplicated unacked unaccepted <"$out/tally.txt"
statuses=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["concurrent"]; print(" ".join(f"{k}x{v}" for k, v in sorted(r["statuses"].items())), r["seconds"])' "$out/writes.json")
touched=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["concurrent"]["commitments"]))' "$out/writes.json")
gaps=0 stale_views=0
for c in $touched; do
  read -r v n m < <(psql_ -F ' ' -c "select s.version, count(e.*), max(e.version) from strategy.mt_streams s join strategy.mt_events e on e.stream_id = s.id where s.id = '$c' group by s.version")
  [[ "$v" == "$n" && "$v" == "$m" ]] || gaps=$((gaps + 1))
  for node in a b; do
    etag=$(curl -sf -D - -o /dev/null -H "Authorization: Bearer $rev" "$(url $node)/api/commitments/$c" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: "\(.*\)"/\1/p')
    [[ "$etag" == "$v" ]] || stale_views=$((stale_views + 1))
  done
done
check "concurrent writes through both nodes" '[[ $acked == 200 && $lost == 0 && $duplicated == 0 && $unacked == 0 && $unaccepted == 0 && $gaps == 0 && $stale_views == 0 ]]' \
  "8 writers x 25 (4 on their own commitments, 4 on one shared), statuses ${statuses% *} in ${statuses##* } s; acknowledged $acked, found $found (submissions), lost $lost, duplicated $duplicated, stored unacknowledged $unacked, submissions without their acceptance $unaccepted; streams with a version gap $gaps; node reads behind the stream $stale_views"

# Reports through alternating nodes: each job runs once.
ids=()
for i in $(seq "$reports"); do
  node=$([[ $((i % 2)) == 1 ]] && echo a || echo b)
  kind=$([[ $((i % 3)) == 0 ]] && echo sdg-alignment || echo progress)
  ids+=("$(curl -sf -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' \
    -d "{\"kind\":\"$kind\",\"plan\":\"LMEC-2023-2027\"}" "$(url $node)/api/reports" | json id)")
done
succeeded=0
for id in "${ids[@]}"; do
  for _ in $(seq 12); do
    s=$(curl -sf -H "Authorization: Bearer $rev" "$(url b)/api/reports/$id?wait=10" | json status || true)
    [[ $s == succeeded || $s == failed ]] && break
  done
  [[ $s == succeeded ]] && succeeded=$((succeeded + 1))
done
sleep 1   # Hangfire records Succeeded just after the job returns
in_list=$(printf "'%s'," "${ids[@]}"); in_list=${in_list%,}
read -r started_once succeeded_once < <(psql_ -F ' ' -c "select count(*) filter (where st = 1), count(*) filter (where su = 1) from (
  select stream_id, count(*) filter (where type = 'report_started') st, count(*) filter (where type = 'report_succeeded') su
  from strategy.mt_events where stream_id::text in ($in_list) group by stream_id) x")
like=$(printf "j.arguments::text like '%%%s%%' or " "${ids[@]}"); like=${like% or }
read -r jobs processed_once succeeded_state_once < <(psql_ -F ' ' -c "select count(*), count(*) filter (where p = 1), count(*) filter (where s = 1) from (
  select j.id, (select count(*) from strategy_hangfire.state s where s.jobid = j.id and s.name = 'Processing') p,
               (select count(*) from strategy_hangfire.state s where s.jobid = j.id and s.name = 'Succeeded') s
  from strategy_hangfire.job j where $like) x")
ran_on=$(psql_ -c "select s.data->>'ServerId' from strategy_hangfire.job j join strategy_hangfire.state s on s.jobid = j.id and s.name = 'Processing' where $like")
ran_a=$(grep -c ":${pid[a]}:" <<<"$ran_on" || true); ran_b=$(grep -c ":${pid[b]}:" <<<"$ran_on" || true)
check "each report job runs once" '[[ $succeeded == "$reports" && $started_once == "$reports" && $succeeded_once == "$reports" && $jobs == "$reports" && $processed_once == "$reports" && $succeeded_state_once == "$reports" ]]' \
  "$reports reports requested through a and b alternately: succeeded $succeeded; one report-started $started_once, one report-succeeded $succeeded_once; Hangfire jobs $jobs, one Processing state $processed_once, one Succeeded state $succeeded_state_once; run on node a $ran_a, node b $ran_b"

# The daemon's leader: Marten 9 (JasperFx ProjectionLockIds) takes one session advisory lock per async shard, with
# id |djb2("<schema>:<shard identity>")| + DaemonLockId, and DaemonLockId is StoreSetup.SchemaLockId(schema).
lock_id=$(python3 - <<'PY'
import hashlib, struct
def i32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >= 1 << 31 else x
def djb2(s):  # JasperFx GetDeterministicHashCode
    h1 = h2 = i32((5381 << 16) + 5381)
    for i in range(0, len(s), 2):
        h1 = i32(((h1 << 5) + h1) ^ ord(s[i]))
        if i == len(s) - 1: break
        h2 = i32(((h2 << 5) + h2) ^ ord(s[i + 1]))
    return i32(h1 + i32(h2 * 1566083941))
schema_lock = struct.unpack("<i", hashlib.sha256(b"strategy:strategy").digest()[:4])[0] & 0x3FFFFFF0  # StoreSetup.SchemaLockId
print(abs(djb2("strategy:AuditChain:All")) + schema_lock)
PY
)
holders() {  # application names of the backends holding the daemon lock, space-separated
  psql_ -c "select coalesce(string_agg(a.application_name, ' ' order by a.application_name), '') from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = 'strategy')
              and ((l.classid::bigint << 32) | l.objid::bigint) = $lock_id"
}
all_advisory=$(psql_ -c "select count(*) from pg_locks where locktype = 'advisory' and granted")
samples=() one_holder=0
for _ in $(seq 5); do h=$(holders); samples+=("${h:-none}"); [[ "$h" =~ ^strategy-node-[ab]$ ]] && one_holder=$((one_holder + 1)); sleep 1; done
leader=${samples[-1]#strategy-node-}
[[ $leader == a || $leader == b ]] || { echo "two-nodes: FAIL (no daemon leader found; cannot test the takeover)"; exit 1; }
same=$(printf '%s\n' "${samples[@]}" | sort -u | wc -l)
check "daemon active on exactly one node" '[[ $one_holder == 5 && $same == 1 ]]' \
  "advisory lock $lock_id held by: ${samples[*]} (5 samples, 1 s apart); advisory locks granted in the cluster: $all_advisory"

# Takeover: SIGKILL the leader; write through the survivor; the survivor takes the lock and chains the new events.
survivor=$([[ $leader == a ]] && echo b || echo a)
kill -9 "${pid[$leader]}"; wait "${pid[$leader]}" 2>/dev/null || true; t_kill=$(now)
killed_pid=${pid[$leader]}; pid[$leader]=
written=0
for i in $(seq 20); do
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' \
    -d "{\"value\":$i,\"asOf\":\"2025-07-01\",\"note\":\"after the leader died $i\"}" "$(url "$survivor")/api/commitments/${open[0]}/progress" && written=$((written + 1))
done
t_takeover= t_chained= pending=
deadline=$(( $(date +%s) + 90 ))
while (( $(date +%s) < deadline )); do
  [[ -z "$t_takeover" && "$(holders)" == "strategy-node-$survivor" ]] && t_takeover=$(now)
  v=$(curl -sf -H "Authorization: Bearer $rev" "$(url "$survivor")/api/audit/verify" || echo '{}')
  pending=$(echo "$v" | json eventsPending 2>/dev/null || echo "?")
  if [[ "$pending" == 0 && -n "$t_takeover" ]]; then t_chained=$(now); break; fi
  sleep 0.5
done
takeover_s=$([[ -n "$t_takeover" ]] && calc "$t_takeover - $t_kill" || echo "none")
chained_s=$([[ -n "$t_chained" ]] && calc "$t_chained - $t_kill" || echo "none")
check "daemon takes over when its node is killed" '[[ -n $t_takeover && -n $t_chained && $written == 20 ]]' \
  "SIGKILL to node $leader (pid $killed_pid); node $survivor holds the lock $takeover_s s later; $written of 20 writes through node $survivor acknowledged, chained (eventsPending 0) $chained_s s after the kill (bound 90 s)"

# The killed node comes back as a cold standby: the lock stays where it is.
start_node "$leader" false
sleep 3
rejoined=()
for _ in $(seq 3); do h=$(holders); rejoined+=("${h:-none}"); sleep 1; done
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' \
  -d '{"value":1,"asOf":"2025-07-02","note":"through the rejoined node"}' "$(url "$leader")/api/commitments/${open[0]}/progress"
for _ in $(seq 60); do
  v=$(curl -sf -H "Authorization: Bearer $rev" "$(url "$leader")/api/audit/verify")
  [[ "$(echo "$v" | json eventsPending)" == 0 ]] && break; sleep 0.5
done
still=$(printf '%s\n' "${rejoined[@]}" | sort -u)
check "restarted node stays cold" '[[ $still == "strategy-node-$survivor" && $(echo "$v" | json eventsPending) == 0 ]]' \
  "node $leader restarted (pid ${pid[$leader]}); lock held by: ${rejoined[*]}; its write chained by node $survivor (eventsPending $(echo "$v" | json eventsPending) on node $leader)"

total=$(psql_ -c "select count(*) from strategy.mt_events")
valid=$(echo "$v" | json valid); checked=$(echo "$v" | json eventsChecked)
check "audit chain valid" '[[ $valid == True && $checked == "$total" ]]' "valid $valid, $checked of $total events chained (verified through node $leader)"

echo
if (( fails == 0 )); then echo "two-nodes: PASS"; else echo "two-nodes: FAIL ($fails checks failed)"; exit 1; fi
