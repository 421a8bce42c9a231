#!/usr/bin/env python3
"""Write load with client retries for bench/faults.sh (Python 3, standard library only).

  faults_load.py load   --base URL --token TOKEN --plan CODE --prefix P --seconds S --out FILE [--workers 8] [--retry-seconds 120]
  faults_load.py report --load FILE --found FILE --down-at T --up-at T --round R --verify TEXT

load: WORKERS threads, each owning distinct open commitments of the plan, send writes for S seconds:
values (3 in 4; POST .../progress with the secretariat's token, so each is accepted on entry: two events,
value_submitted then value_accepted) and status changes between in-progress and on-hold (1 in 4), never a final status.
Every write carries a unique Idempotency-Key (PREFIX-wW-N) and puts that key in its note, so the event log can be
searched for it. A write is retried with the SAME key and body on 5xx, timeouts and connection errors until it gets
a 2xx (acknowledged) or a 4xx (refused). After S seconds no new write starts; the one in flight is still retried
(for at most --retry-seconds more, 120 by default). Every attempt is recorded: start, end, status, content type, error.

report: compares the acknowledged keys with the log (FILE: "key|writes|unaccepted" lines from mt_events: how many
writes carry the key, counted by the event that records each write (value_submitted or commitment_status_changed, not
the value_accepted that follows a value), and how many of its submissions have no value_accepted after them),
classifies the attempts that overlapped the outage window [down-at, up-at], prints the round's line and exits 1 if
the round failed a check.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

REQUEST_TIMEOUT = 20.0      # a response slower than this counts as a timeout (and is retried)
SLOW_MS = 5000              # a response during the outage slower than this fails the round


class Api:
    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.headers = {"Authorization": "Bearer " + token}
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, content type, body bytes, replayed); raises OSError / http.client.HTTPException on transport failures."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        h = dict(self.headers)
        if headers:
            h.update(headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            payload = r.read()
        except BaseException:
            self.close()
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        return (r.status, (r.getheader("Content-Type") or "").split(";")[0].strip(), payload,
                r.getheader("Idempotent-Replayed") == "true")

    def timed(self, method, path, body=None, headers=None):
        """request(), timed, with a transport failure as a value: (t0, t1, status, content type, body, replayed, error),
        status None and error the failure's name when there was no answer."""
        t0 = time.time()
        status, ctype, payload, replayed, error = None, "", b"", False, None
        try:
            status, ctype, payload, replayed = self.request(method, path, body, headers)
        except TimeoutError:
            error = "timeout"
        except (OSError, http.client.HTTPException) as e:
            error = type(e).__name__
        return t0, time.time(), status, ctype, payload, replayed, error

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def open_commitments(api, plan):
    items, page = [], 1
    while True:
        status, _, body, _ = api.request("GET", f"/api/plans/{plan}/commitments?pageSize=200&page={page}")
        if status != 200:
            raise SystemExit(f"listing commitments: HTTP {status}: {body[:300]!r}")
        batch = json.loads(body)
        items += batch
        if len(batch) < 200:
            break
        page += 1
    return [c for c in items if c["status"] in ("not-started", "in-progress", "on-hold")]


class Worker(threading.Thread):
    def __init__(self, n, args, commitments, end, results, lock):
        super().__init__(daemon=True)
        self.n, self.args, self.commitments, self.end = n, args, commitments, end
        self.results, self.lock = results, lock
        self.api = Api(args.base, args.token)
        self.rng = random.Random(f"{args.prefix}-{n}")
        self.status = {c["id"]: c["status"] for c in commitments}

    def run(self):
        seq = 0
        while time.time() < self.end:
            c = self.commitments[seq % len(self.commitments)]
            seq += 1
            key = f"{self.args.prefix}-w{self.n}-{seq:06d}"
            cid = c["id"]
            if self.rng.random() < 0.25:
                to = "on-hold" if self.status[cid] == "in-progress" else "in-progress"
                path, body = f"/api/commitments/{cid}/status", {"status": to, "note": key}
            else:
                day = f"2025-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
                path, body = f"/api/commitments/{cid}/progress", {"value": self.rng.randint(0, 100), "asOf": day, "note": key}
            outcome, payload = self.send(key, path, body)
            with self.lock:
                if outcome == "ack":
                    self.results["acked"].append(key)
                    if path.endswith("/progress"):
                        self.results["acked_values"].append(key)
                elif outcome == "refused":
                    self.results["refused"].append({"key": key, "path": path, "body": payload})
                else:
                    self.results["unresolved"].append(key)
            if outcome == "ack" and path.endswith("/status"):
                self.status[cid] = json.loads(payload)["status"]

    def send(self, key, path, body):
        deadline = max(self.end, time.time()) + self.args.retry_seconds
        attempt = 0
        while True:
            attempt += 1
            t0, t1, status, ctype, payload, replayed, error = self.api.timed("POST", path, body, {"Idempotency-Key": key})
            with self.lock:
                self.results["attempts"].append([round(t0, 4), round(t1, 4), status, ctype, error, key, attempt, replayed])
            if status is not None and 200 <= status < 300:
                return "ack", payload
            if status is not None and 400 <= status < 500:
                return "refused", payload.decode(errors="replace")[:500]
            if time.time() > deadline:
                return "unresolved", None
            time.sleep(0.2 if error else 0.5)


class Prober(threading.Thread):
    """Reads and report requests alongside the writes (no retries, no accounting): during the outage they too must
    answer 503 quickly, and never 500. /health/ready answers 503 without a problem document, which is fine."""

    def __init__(self, args, commitments, end, results, lock):
        super().__init__(daemon=True)
        self.args, self.commitments, self.end, self.results, self.lock = args, commitments, end, results, lock
        self.api = Api(args.base, args.token)

    def run(self):
        n = 0
        plan = self.args.plan
        while time.time() < self.end:
            c = self.commitments[n % len(self.commitments)]
            probes = [("GET", f"/api/plans/{plan}", None), ("GET", f"/api/commitments/{c['id']}", None),
                      ("GET", f"/api/plans/{plan}/commitments?country={c['country']}", None),
                      ("GET", f"/api/commitments/{c['id']}/history", None), ("GET", "/api/audit?limit=20", None),
                      ("GET", "/health/ready", None)]
            method, path, body = probes[n % len(probes)]
            if n % 15 == 14:
                method, path, body = "POST", "/api/reports", {"kind": "progress", "plan": plan}
            n += 1
            t0, t1, status, ctype, _, _, error = self.api.timed(method, path, body)
            with self.lock:
                self.results["probes"].append([round(t0, 4), round(t1, 4), status, ctype, error, f"{method} {path}"])
            time.sleep(0.2)


def load(args):
    api = Api(args.base, args.token)
    commitments = open_commitments(api, args.plan)
    if len(commitments) < args.workers:
        raise SystemExit(f"only {len(commitments)} open commitments for {args.workers} workers")
    random.Random(args.prefix).shuffle(commitments)
    shares = [commitments[i::args.workers] for i in range(args.workers)]   # distinct commitments per worker
    results = {"acked": [], "acked_values": [], "refused": [], "unresolved": [], "attempts": [], "probes": []}
    lock = threading.Lock()
    start = time.time()
    end = start + args.seconds
    workers = [Worker(i + 1, args, shares[i], end, results, lock) for i in range(args.workers)]
    workers.append(Prober(args, commitments, end, results, lock))
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    results.update(start=start, end=end, finished=time.time(), workers=args.workers, commitments=len(commitments))
    with open(args.out, "w") as f:
        json.dump(results, f)
    print(f"load: {len(results['acked'])} acknowledged, {len(results['refused'])} refused, "
          f"{len(results['unresolved'])} unresolved, {len(results['attempts'])} attempts over {len(commitments)} commitments, {len(results['probes'])} probes",
          file=sys.stderr)


def report(args):
    with open(args.load) as f:
        r = json.load(f)
    counts, unaccepted = {}, {}
    with open(args.found) as f:
        for line in f:
            line = line.strip()
            if line:
                key, n, u = line.rsplit("|", 2)
                counts[key] = int(n)
                if int(u):
                    unaccepted[key] = int(u)
    acked = r["acked"]
    found = sum(1 for k in acked if counts.get(k, 0) >= 1)
    lost = [k for k in acked if counts.get(k, 0) == 0]
    duplicated = sorted(k for k, n in counts.items() if n > 1)
    # Written but never acknowledged: possible when the commit reached the disk but its answer did not reach the
    # client and the client then gave up; not a failure of the guarantee, but worth showing.
    unacked_in_log = len(set(counts) - set(acked))

    attempts = r["attempts"]
    probes = r["probes"]
    answers = attempts + probes                                          # [t0, t1, status, content type, error, ...]
    other5xx = [a for a in answers if a[2] is not None and a[2] >= 500 and a[2] != 503]
    down, up = args.down_at, args.up_at
    during = [a for a in answers if a[0] < up and a[1] > down]          # overlapped the outage
    max_ms = max((int((a[1] - a[0]) * 1000) for a in during), default=0)
    slow = [a for a in during if (a[1] - a[0]) * 1000 > SLOW_MS or a[4] == "timeout"]
    def problem_503(a):
        return a[2] == 503 and (a[3] == "application/problem+json" or str(a[-1]).endswith("/health/ready"))
    bad_down = [a for a in during if a[2] is not None and not (200 <= a[2] < 300) and not problem_503(a)]
    no_answer = [a for a in during if a[2] is None]
    by_status = {}
    for a in during:
        s = str(a[2]) if a[2] is not None else a[4]
        by_status[s] = by_status.get(s, 0) + 1
    acked_after = [a for a in attempts if a[0] > up and a[2] is not None and 200 <= a[2] < 300]
    replays = sum(1 for a in attempts if len(a) > 7 and a[7])
    retried_acks = sum(1 for a in attempts if a[2] is not None and 200 <= a[2] < 300 and a[6] > 1)

    failures = []
    if lost: failures.append(f"lost {len(lost)} (e.g. {lost[:3]})")
    if duplicated: failures.append(f"duplicated {len(duplicated)} (e.g. {duplicated[:3]})")
    if unaccepted: failures.append(f"{len(unaccepted)} values stored without their acceptance (e.g. {sorted(unaccepted)[:3]})")
    if other5xx: failures.append(f"{len(other5xx)} 5xx other than 503")
    if slow: failures.append(f"{len(slow)} responses during the outage slower than {SLOW_MS} ms")
    if bad_down: failures.append(f"{len(bad_down)} non-503-problem error responses during the outage: "
                                 f"{sorted({(a[2], a[3]) for a in bad_down})}")
    if no_answer: failures.append(f"{len(no_answer)} attempts during the outage got no HTTP answer")
    if r["refused"]: failures.append(f"{len(r['refused'])} writes refused with 4xx (e.g. {r['refused'][:2]})")
    if r["unresolved"]: failures.append(f"{len(r['unresolved'])} writes never resolved")
    if not acked_after: failures.append("no write succeeded after the restart")
    if args.verify != "valid": failures.append(f"verify {args.verify}")

    print(f"round {args.round}: acknowledged {len(acked)}, found {found}, lost {len(lost)}, duplicated {len(duplicated)}, "
          f"5xx-other {len(other5xx)}, down-responses {len(during)} (max latency {max_ms} ms), verify {args.verify}")
    print(f"  round {args.round} detail: outage {up - down:.1f} s; during it {json.dumps(by_status, sort_keys=True)}; "
          f"{len(attempts)} write attempts and {len(probes)} probes in all; {retried_acks} writes acknowledged on a retry, "
          f"{replays} of them replays of a write committed before its answer was lost; "
          f"{len(acked_after)} acknowledged after the restart; {unacked_in_log} written but unacknowledged; "
          f"{len(r.get('acked_values', []))} of the acknowledged writes values, "
          f"{len(unaccepted)} values without their acceptance", file=sys.stderr)
    for f in failures:
        print(f"  round {args.round} FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("load")
    l.add_argument("--base", required=True)
    l.add_argument("--token", required=True)
    l.add_argument("--plan", required=True)
    l.add_argument("--prefix", required=True)
    l.add_argument("--seconds", type=float, required=True)
    l.add_argument("--workers", type=int, default=8)
    l.add_argument("--out", required=True)
    l.add_argument("--retry-seconds", type=float, default=120.0, help="after the load ends, a write in flight is retried for at most this long")
    r = sub.add_parser("report")
    r.add_argument("--load", required=True)
    r.add_argument("--found", required=True)
    r.add_argument("--down-at", type=float, required=True)
    r.add_argument("--up-at", type=float, required=True)
    r.add_argument("--round", required=True)
    r.add_argument("--verify", required=True)
    args = p.parse_args()
    if args.cmd == "load":
        load(args)
        return 0
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
