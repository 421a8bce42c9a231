"""Sequential GETs over one keep-alive connection, for bench/run.sh: reads paths from stdin, one per line, and prints
{n, p50, p95, p99, max, mean} in milliseconds (client-side, request sent to body read) as JSON. The first WARMUP
requests (JIT, pools, caches) are not counted. Any answer other than 200 stops the run with an error.

    python3 bench/latency.py HOST PORT TOKEN [WARMUP] < paths          a bearer token (the API)
    python3 bench/latency.py HOST PORT cookie:COOKIE [WARMUP] < paths  a session's Cookie header (the screens)
"""
import http.client
import json
import sys
import time

host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 5
paths = [line.strip() for line in sys.stdin if line.strip()]
connection = http.client.HTTPConnection(host, port, timeout=60)
headers = ({"Cookie": token[len("cookie:"):], "Accept": "text/html"} if token.startswith("cookie:")
           else {"Authorization": f"Bearer {token}", "Accept": "application/json"})
times = []
for i, path in enumerate(paths):
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status} {body[:300]!r}")
    if i >= warmup:
        times.append(elapsed)
times.sort()


def percentile(p):
    return times[min(len(times) - 1, max(0, int(-(-p * len(times) // 1)) - 1))]


print(json.dumps({"n": len(times), "p50": round(percentile(0.50), 2), "p95": round(percentile(0.95), 2), "p99": round(percentile(0.99), 2),
                  "max": round(times[-1], 2), "mean": round(sum(times) / len(times), 2)}))
