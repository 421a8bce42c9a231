#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for bench/telemetry-overhead.sh: answers 200 to every POST (/v1/traces, /v1/metrics,
/v1/logs) after reading its body, and on SIGTERM prints how many requests and bytes each path received, so the run
shows the exporter really sent.

  otlp_sink.py PORT
"""
import collections, json, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = collections.Counter()
sizes = collections.Counter()
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            received[self.path] += 1
            sizes[self.path] += len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink)


def stop(*_):
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, stop)
server.serve_forever()
with lock:
    print(json.dumps({p: {"requests": received[p], "bytes": sizes[p]} for p in received}))
