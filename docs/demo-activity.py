#!/usr/bin/env python3
"""Plays an illustrative history onto the demo plan through the API, so the demo reports have something to show.

Each country's focal point moves its commitments along and submits indicator values every half year; the
secretariat reviews each one: it accepts most, and returns some with a comment, which the focal point corrects and
the secretariat then accepts. The numbers are made up (like the demo plan itself) but deterministic: the same run
gives the same history.

usage: demo-activity.py BASE_URL TOKEN_COMMAND...   (TOKEN_COMMAND is run with --role/--country appended)
"""
import hashlib, json, subprocess, sys, urllib.request, datetime

base, token_cmd = sys.argv[1], sys.argv[2:]
PLAN = "LMEC-2023-2027"

def token(role, country=None):
    args = token_cmd + ["--role", role] + (["--country", country, "--name", f"Ministry of Environment {country}"] if country else ["--name", "LMEC Secretariat"])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()

def call(method, path, tok, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or "null")

def pace(code):
    """A commitment's own pace, 0..1.3 of its straight-line expectation, from its code."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:4], 16) / 0xFFFF * 1.3

def submitted(cid, as_of):
    """The id of the commitment's value dated as_of that awaits review."""
    values = call("GET", f"/api/commitments/{cid}/values", reviewer)
    return next(v["id"] for v in values if v["state"] == "submitted" and v["asOf"] == as_of)

reviewer = token("reviewer")
secretariat = token("secretariat")
commitments = call("GET", f"/api/plans/{PLAN}/commitments?pageSize=200", reviewer)
tokens = {}
today = datetime.date.today()
dates = [d for d in (datetime.date(2023, 12, 31), datetime.date(2024, 6, 30), datetime.date(2024, 12, 31), datetime.date(2025, 6, 30),
                     datetime.date(2025, 12, 31), datetime.date(2026, 6, 30)) if d <= today]
start = datetime.date(2023, 1, 1)
for c in commitments:
    country, cid = c["country"], c["id"]
    tok = tokens.setdefault(country, token("focal-point", country))
    speed = pace(c["code"])
    due = datetime.date.fromisoformat(c["due"])
    if speed < 0.15:
        continue  # a few commitments have not started yet
    call("POST", f"/api/commitments/{cid}/status", tok, {"status": "in-progress", "note": "Work started"})
    b, t = c["baseline"], c["target"]
    last = None
    for d in dates:
        expected = min(1.0, (d - start).days / max(1, (due - start).days))
        fraction = min(1.0, expected * speed)
        value = round(b + (t - b) * fraction, 1)
        if value == last:
            continue
        as_of = d.isoformat()
        call("POST", f"/api/commitments/{cid}/progress", tok, {"value": value, "asOf": as_of, "note": "Half-yearly report"})
        value_id = submitted(cid, as_of)
        if pace(c["code"] + as_of) < 0.15:
            # One in ten or so is returned: the focal point checks its figures and sends them again.
            call("POST", f"/api/commitments/{cid}/values/{value_id}/return", secretariat, {"comment": "Please check this figure against the minutes."})
            call("POST", f"/api/commitments/{cid}/progress", tok, {"value": value, "asOf": as_of, "supersedes": value_id, "note": "Checked against the minutes"})
            value_id = submitted(cid, as_of)
        call("POST", f"/api/commitments/{cid}/values/{value_id}/accept", secretariat, {"note": "Reviewed"})
        last = value
    if last is not None and last == t:
        call("POST", f"/api/commitments/{cid}/status", tok, {"status": "completed", "note": "Target reached"})
    elif speed < 0.35:
        call("POST", f"/api/commitments/{cid}/status", tok, {"status": "on-hold", "note": "Waiting for funding"})
print(f"played activity on {len(commitments)} commitments", file=sys.stderr)
