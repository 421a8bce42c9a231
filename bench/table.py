"""Prints bench/run.sh's table from its results file (JSON of figures): one row per figure, with its baseline,
ratio, target and whether the target was met. Targets are the service's performance goals (docs/benchmarks.md)."""
import json
import sys

r = json.load(open(sys.argv[1]))
size = r["size"]
rows = []


def row(scenario, figure, value, unit, baseline=None, target=None, met=None, ratio=None, digits=1):
    fmt = lambda v: "-" if v is None else (f"{v:,.{digits}f}" if isinstance(v, float) else f"{v:,}")
    rows.append([scenario, figure, f"{fmt(value)} {unit}".strip(), fmt(baseline) if baseline is not None else "-",
                 "-" if ratio is None else f"{ratio:.2f}", target or "-", "-" if met is None else ("yes" if met else "NO")])


def at_least(value, baseline, factor):
    ratio = value / baseline if baseline else None
    return ratio, ratio is not None and ratio >= factor


rps = r["writes_rps"]
ratio, ok = at_least(rps, r["write_loop_rps"], 0.7)
turns = f" (in turn: API {r['writes_rounds']}; Marten {r['write_loop_rounds']})" if "writes_rounds" in r else ""
row("writes", f"HTTP requests/s vs Marten writes/s (the same writes' database work){turns}", rps, "req/s", r["write_loop_rps"], ">= 0.7 x", ok, ratio)
ratio, ok = at_least(rps, r["pgbench_tps"], 0.25)
row("writes", "HTTP requests/s vs pgbench tps", rps, "req/s", r["pgbench_tps"], ">= 0.25 x", ok, ratio)
row("writes", "HTTP requests/s vs bare Marten appends/s (one event, no lock, read or view)", rps, "req/s", r["marten_rps"],
    ratio=rps / r["marten_rps"] if r["marten_rps"] else None)
row("writes", "p50", r["writes_p50"], "ms", digits=2)
row("writes", "p99", r["writes_p99"], "ms", target="<= 50 ms", met=r["writes_p99"] <= 50, digits=2)
row("writes", "answers other than 2xx", int(r["writes_non2xx"] + r["writes_socketErrors"]), "", target="0",
    met=r["writes_non2xx"] + r["writes_socketErrors"] == 0)
row("writes", f"Marten writes: p99 ({int(r['write_loop_rejected'] + r['write_loop_failed'])} refused or failed)", r["write_loop_p99"], "ms", digits=2)
http_cpu = r["writes_api_cpu_ms"] + r["writes_pg_cpu_ms"]
loop_cpu = r["write_loop_cpu_ms"] + r["write_loop_pg_cpu_ms"]
row("writes", f"CPU per write: API {r['writes_api_cpu_ms']:.2f} + PostgreSQL {r['writes_pg_cpu_ms']:.2f} ms vs Marten writes "
    f"{r['write_loop_cpu_ms']:.2f} + {r['write_loop_pg_cpu_ms']:.2f} ms", http_cpu, "ms", loop_cpu, ratio=http_cpu / loop_cpu, digits=2)
if "otel_on_rps" in r:
    # Rates of two rounds of one kind differ by as much as the cost; the CPU a write takes (API and PostgreSQL) is the
    # figure the target is judged by (bench/telemetry-overhead.sh).
    row("writes", f"with OTLP telemetry exported, every trace, vs without ({r['otel_rounds']})", r["otel_on_rps"], "req/s",
        r["otel_off_rps"], ratio=r["otel_on_rps"] / r["otel_off_rps"])
if "otel_sampled_rps" in r:
    row("writes", "with OTLP telemetry exported as configured by default (one trace in ten), vs without",
        r["otel_sampled_rps"], "req/s", r["otel_off_rps"], ratio=r["otel_sampled_rps"] / r["otel_off_rps"])
if "otel_sampled_cpu_ms" in r:
    row("writes", f"telemetry: CPU per write with every trace vs without, cost {r['otel_cpu_cost_pct']:.1f} % ({r['otel_cpu_rounds']})",
        r["otel_on_cpu_ms"], "ms", r["otel_off_cpu_ms"], ratio=r["otel_on_cpu_ms"] / r["otel_off_cpu_ms"], digits=3)
    row("writes", f"telemetry as configured by default (one trace in ten): CPU per write vs without, cost {r['otel_sampled_cpu_cost_pct']:.1f} %",
        r["otel_sampled_cpu_ms"], "ms", r["otel_off_cpu_ms"], "cost <= 5 %", r["otel_sampled_cpu_cost_pct"] <= 5,
        r["otel_sampled_cpu_ms"] / r["otel_off_cpu_ms"], digits=3)
if "otel_non2xx" in r:
    # The rounds compare like work only when nearly every write was made (refusals do less); 0.1 % allows the few a
    # run's end leaves (bench/telemetry-overhead.sh).
    row("writes", f"telemetry rounds: answers other than 2xx, of {int(r['otel_requests']):,} writes", int(r["otel_non2xx"]), "",
        target="<= 0.1 %", met=r["otel_non2xx"] <= 0.001 * r["otel_requests"])

current = r[f"report_current_{size}"]
row("current report", f"job run time at {size} (median of 5 repeats)", current, "s", target="<= 3 s at L",
    met=current <= 3 if size == "L" else None, digits=2)
if size == "L":
    ratio = current / r["report_current_M"]
    row("current report", "time at L / time at M", current, "s", r["report_current_M"], "<= 1.1", ratio <= 1.1, ratio, digits=2)
copy = r[f"copy_views_{size}"]
ratio = current / copy if copy else None
row("current report", f"time at {size} vs COPY of the plan's views (median of 5, in turns)", current, "s", copy, "<= 2 x at L",
    ratio is not None and ratio <= 2 if size == "L" else None, ratio, digits=2)
row("current report", f"first run at {size} (JIT warm-up)", r[f"report_first_{size}"], "s", digits=2)
if f"report_phases_{size}" in r:
    row("current report", f"its steps in a process of their own, median of 5 (ms): {r[f'report_phases_{size}']}", None, "")
if r.get("round_report") == "skipped":
    row("round report", "job run time: skipped (the API does not take a report's round yet)", None, "")
else:
    row("round report", f"round {r['round_report_code']}: job run time at {size} (median of 3 repeats)", r["round_report"], "s", digits=2)

for table, name in (("commitmentview", "commitment view"), ("commitment", "write model")):
    avg, largest = r[f"size_{table}_avg_{size}"], r[f"size_{table}_max_{size}"]
    if size == "L":
        ratio = avg / r[f"size_{table}_avg_M"]
        limit = table == "commitmentview"
        row("view size", f"{name}: average stored size at L (largest {int(largest):,}) vs M", avg, "B", r[f"size_{table}_avg_M"],
            "<= 1.05" if limit else None, ratio <= 1.05 if limit else None, ratio)
    else:
        row("view size", f"{name}: average stored size at {size} (largest {int(largest):,})", avg, "B")

ratio, ok = at_least(r["asof_rate"], r["asof_copy_rate"], 0.5)
row("as-of report", f"events folded/s ({int(r['asof_events']):,} events in {r['asof_seconds']:.2f} s) vs COPY rows/s",
    r["asof_rate"], "ev/s", r["asof_copy_rate"], ">= 0.5 x", ok, ratio, digits=0)

row("audit", "page of 1,000, random cursor: p50", r["audit_p50"], "ms", digits=2)
row("audit", "page of 1,000, random cursor: p99", r["audit_p99"], "ms", target="<= 50 ms", met=r["audit_p99"] <= 50, digits=2)
row("audit", "filtered by country and type: p50", r["audit-filtered_p50"], "ms", digits=2)
row("audit", "filtered by country and type: p99", r["audit-filtered_p99"], "ms", target="<= 100 ms", met=r["audit-filtered_p99"] <= 100, digits=2)
row("audit", "commitment history: p50", r["history_p50"], "ms", digits=2)
row("audit", "commitment history: p99", r["history_p99"], "ms", target="<= 10 ms", met=r["history_p99"] <= 10, digits=2)
row("review queue", f"page of 50 of {int(r['review_total']):,} submitted values, random page and filter: p50", r["review_p50"], "ms", digits=2)
row("review queue", "the same: p99", r["review_p99"], "ms", target="<= 100 ms", met=r["review_p99"] <= 100, digits=2)

screens = {"home": "focal point's home (/country)", "commitment": "a commitment page, its own country's", "review": "review queue (/review)", "plan": "plan matrix (/plan)"}
for name, what in screens.items():
    if f"screen_{name}_p95" not in r:
        continue
    row("screens", f"{what}: p50", r[f"screen_{name}_p50"], "ms", digits=2)
    row("screens", f"{what}: p95", r[f"screen_{name}_p95"], "ms", target="<= 150 ms", met=r[f"screen_{name}_p95"] <= 150, digits=2)
    row("screens", f"{what}: first visit, HTML gzipped + stylesheets and scripts as served", r[f"screen_{name}_kb"], "kB",
        target="<= 100 kB", met=r[f"screen_{name}_kb"] <= 100, digits=1)

events, seconds = r[f"rebuild_{size}_events"], r[f"rebuild_{size}_seconds"]
rate = events / seconds
ratio, ok = at_least(rate, r["rebuild_copy_rate"], 0.3)
row("rebuild", f"views, write models, values: events/s ({int(events):,} events in {seconds:.2f} s) vs COPY rows/s", rate, "ev/s",
    r["rebuild_copy_rate"], ">= 0.3 x", ok, ratio, digits=0)

row("memory", "API peak RSS over the run", r["peak_rss_mb"], "MB", target="<= 400 MB", met=r["peak_rss_mb"] <= 400)
row("start", "process start to /health/ready (schema applied by `migrate`)", r["ready_seconds"], "s", target="<= 2 s", met=r["ready_seconds"] <= 2, digits=2)
row("start", "the same with the schema check at start-up (the default)", r["ready_apply_seconds"], "s", digits=2)

header = ["scenario", "figure", "value", "baseline", "ratio", "target", "met"]
widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
print(f"size {size}: {int(r['events']):,} events; whole run {r['total_seconds']:.0f} s; highest load average seen {r.get('load_peak', 0):.1f} (2 cores)")
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for x in rows:
    print(line(x))
