#!/usr/bin/env python3
"""Writes the tables of docs/modules/ROOT/pages/benchmarks.adoc from the runs committed under bench/runs/, one
AsciiDoc file each under docs/modules/ROOT/pages/includes/bench/ (the page includes them; it has no table of its
own). With --check, writes nothing and fails when a file differs from what the committed results give: the docs
module's BenchmarkTablesTest runs that, so a figure on the page is always one of a committed run.

Usage: bench/doc-tables.py [--check]     (from the repository's root)

A new run for the page: commit its folder under bench/runs/, add its tables to TABLES below, include them in the
page, and run this."""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tables import Summary, fmt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "modules", "ROOT", "pages", "includes", "bench")

FULL = "bench/runs/20261125-full-rounds3-coalesced"
# the full run before the broadcasts of a turn were handed over together (at 4632234)
BEFORE = "bench/runs/20261125-full-rounds3"
FULL_TARGETS = ["qsio", "qsio-cluster", "node-uws", "node-uws-cluster", "netty", "node", "node-cluster",
                "netty-socketio"]

# the fan-outs again with the ladder that also bisects the sustained band, after the broadcast path's restructuring
FANOUT = "bench/runs/20261125-fanout-rounds3"
FANOUT_TARGETS = ["qsio", "qsio-cluster", "node-uws", "node-uws-cluster", "netty"]


def fanout_columns(size):
    return [(f"fan-out {size}: best msg/s, p99 < 100 ms", "best msg/s, p99 < 100 ms"),
            (f"fan-out {size}: best sustained msg/s", "best sustained msg/s (p99 < 1 s)"),
            (f"fan-out {size}: CPU us per delivery (sustained)", "CPU µs per delivery, at that rate"),
            (f"fan-out {size}: CPU us per delivery at 50k/s", "CPU µs per delivery at 50k/s"),
            (f"fan-out {size}: CPU us per delivery at 100k/s", "at 100k/s"),
            (f"fan-out {size}: CPU us per delivery at 200k/s", "at 200k/s")]


def fanout_aims():
    """The performance issue's fan-out aims alone: (what, numerator, denominator, figure, the aim)."""
    return [row for row in aims() if row[0].startswith("fan-out") and row[2] in ("node-uws", "node-uws-cluster", "netty")]


def aims():
    """The performance issue's aims: (what, numerator, denominator, figure, the aim)."""
    rows = []
    for size in ("1,000", "10,000"):
        for a, b in (("qsio", "node-uws"), ("qsio-cluster", "node-uws-cluster")):
            rows.append((f"fan-out {size}, best sustained", a, b, f"fan-out {size}: best sustained msg/s", ">= 1.0x"))
    for size in ("1,000", "10,000"):
        for rate in ("50k", "100k", "200k"):
            key = f"fan-out {size}: CPU us per delivery at {rate}/s"
            rows.append((f"fan-out {size}, CPU per delivery at {rate}/s", "qsio", "node-uws", key, "<= 1.0x"))
            rows.append((f"fan-out {size}, CPU per delivery at {rate}/s", "qsio", "netty", key, "<= 1.2x"))
    for a, b in (("qsio", "node-uws"), ("qsio-cluster", "node-uws-cluster")):
        rows.append(("handshakes/s (warm)", a, b, "handshakes/s (warm)", ">= 1.0x"))
        rows.append(("KB per idle connection", a, b, "KB per idle connection", "<= 1.0x"))
    for other in ("node", "netty-socketio"):
        for size in ("1,000", "10,000"):
            rows.append((f"fan-out {size}, best sustained", "qsio", other, f"fan-out {size}: best sustained msg/s",
                         ">= 3x"))
            rows.append((f"fan-out {size}, CPU per delivery at 50k/s", "qsio", other,
                         f"fan-out {size}: CPU us per delivery at 50k/s", "<= 0.33x"))
    return rows


def full_tables(prefix, run):
    """The tables of a full run: machine, both fan-outs, connections, the aims."""
    return [
        {"file": f"{prefix}-machine.adoc", "run": run, "kind": "machine", "names": FULL_TARGETS},
        {"file": f"{prefix}-fanout-1000.adoc", "run": run, "kind": "targets", "names": FULL_TARGETS,
         "columns": fanout_columns("1,000"), "bound": "fan-out 1,000: generator-bound"},
        {"file": f"{prefix}-fanout-10000.adoc", "run": run, "kind": "targets", "names": FULL_TARGETS,
         "columns": fanout_columns("10,000"), "bound": "fan-out 10,000: generator-bound"},
        {"file": f"{prefix}-connections.adoc", "run": run, "kind": "targets", "names": FULL_TARGETS,
         "columns": [("handshakes/s (warm)", "handshakes/s (warm)"),
                     ("KB per idle connection", "KB per idle connection")]},
        {"file": f"{prefix}-aims.adoc", "run": run, "kind": "aims", "names": FULL_TARGETS, "rows": aims()},
    ]


CONNECTION_COLUMNS = [("handshakes/s (warm)", "handshakes/s (the measured ramp)"),
                      ("CPU us per handshake (warm)", "CPU µs per handshake"),
                      ("KB per idle connection", "KB per idle connection (resident)"),
                      ("live heap KB per idle connection", "live heap KB per idle connection")]


# the connection aims of issue 68, every peer of the issue in one run: 3 interleaved rounds, connections only
CONNECTIONS_RUN = "bench/runs/20261128-connections-rounds3"
CONNECTIONS_TARGETS = ["qsio", "qsio-cluster", "node-uws", "node-uws-cluster", "bun"]
# the same after the warm-up of the connection path (a single process warms by default), at 08dc0c0
CONNECTIONS_WARM_UP_RUN = "bench/runs/20261128-connections-rounds3-warm-up"
CONNECTIONS_RUN_COLUMNS = [("startup s", "startup s"),
                           ("handshakes/s (first ramp)", "first ramp of a fresh process, handshakes/s"),
                           *CONNECTION_COLUMNS]
# the same five targets on 2026-12-02, the cluster on its own AOT caches (primary's and workers', b82250f)
CONNECTIONS_CLUSTER_AOT_RUN = "bench/runs/20261202-connections-rounds3"


def connection_aims():
    """Issue 68's per-connection aims that compare two targets of one run."""
    rows = []
    for a, b in (("qsio", "node-uws"), ("qsio", "bun"), ("qsio-cluster", "node-uws-cluster")):
        rows.append(("handshakes/s (warm)", a, b, "handshakes/s (warm)", ">= 1.0x"))
    for a, b in (("qsio", "node-uws"), ("qsio-cluster", "node-uws-cluster")):
        rows.append(("CPU per handshake (warm)", a, b, "CPU us per handshake (warm)", "<= 1.0x"))
        rows.append(("resident KB per idle connection", a, b, "KB per idle connection", "<= 1.0x"))
    return rows


def memory_table(name, names):
    return {"file": f"memory-{name}.adoc", "run": f"bench/runs/20261126-memory/{name}", "kind": "targets",
            "names": names, "columns": CONNECTION_COLUMNS}


# each table: its file, the run, and how to draw it
# WebTransport beside WebSocket in one bench/run, the generator's own WebTransport client (issue 70)
WEBTRANSPORT_RUN = "bench/runs/20261201-webtransport-batched"
WEBTRANSPORT_TARGETS = ["qsio", "qsio-wt", "qsio-cluster", "qsio-cluster-wt"]
WEBTRANSPORT_COLUMNS = [("handshakes/s (warm)", "handshakes/s (warm)"),
                        ("CPU us per handshake (warm)", "CPU µs per handshake"),
                        ("KB per idle connection", "resident KB per idle session"),
                        ("live heap KB per idle connection", "live heap KB per idle session"),
                        ("fan-out 1,000: best sustained msg/s", "fan-out 1,000: best sustained msg/s"),
                        ("fan-out 1,000: CPU us per delivery (fixed rate)", "CPU µs per delivery at 25k/s"),
                        ("fan-out 10,000: best sustained msg/s", "fan-out 10,000: best sustained msg/s"),
                        ("fan-out 10,000: CPU us per delivery (fixed rate)", "CPU µs per delivery at 25k/s")]


def webtransport_aims():
    """Issue 70's cost aims: WebTransport against WebSocket, one process and two workers."""
    rows = []
    for a, b in (("qsio-wt", "qsio"), ("qsio-cluster-wt", "qsio-cluster")):
        for size in ("1,000", "10,000"):
            rows.append((f"fan-out {size}, CPU per delivery at 25k/s", a, b,
                         f"fan-out {size}: CPU us per delivery (fixed rate)", "<= 1.5x"))
        rows.append(("live heap per idle session", a, b, "live heap KB per idle connection", "<= 2.0x"))
        rows.append(("resident memory per idle session", a, b, "KB per idle connection", "<= 2.0x"))
    return rows


TABLES = [
    {"file": "overload-full.adoc", "run": "bench/runs/20261126-overload-full-cooldown", "kind": "overload"},
    {"file": "deploy-full.adoc", "run": "bench/runs/20261126-deploy-full-1000", "kind": "deploy"},
    {"file": "deploy-pods.adoc", "run": "bench/runs/20261127-deploy-pods-1000", "kind": "deploy"},
    {"file": "deploy-tail.adoc", "run": "bench/runs/20261127-deploy-tail-1000", "kind": "deploy"},
    {"file": "deploy-tail-before.adoc", "run": "bench/runs/20261127-deploy-tail-1000/before", "kind": "deploy"},
    {"file": "webtransport.adoc", "run": "bench/runs/20261128-webtransport-50", "kind": "webtransport"},
    {"file": "webtransport-loadgen-machine.adoc", "run": WEBTRANSPORT_RUN, "kind": "machine",
     "names": WEBTRANSPORT_TARGETS},
    {"file": "webtransport-loadgen.adoc", "run": WEBTRANSPORT_RUN, "kind": "targets", "names": WEBTRANSPORT_TARGETS,
     "columns": WEBTRANSPORT_COLUMNS},
    {"file": "webtransport-loadgen-aims.adoc", "run": WEBTRANSPORT_RUN, "kind": "aims", "names": WEBTRANSPORT_TARGETS,
     "rows": webtransport_aims()},
    {"file": "overload-full-server-rate.adoc", "run": "bench/runs/20261126-overload-full-server-rate",
     "kind": "overload"},
    {"file": "warm-ramps.adoc", "run": "bench/runs/20261126-connections-warm-ramps9", "kind": "targets",
     "names": ["qsio", "node-uws"], "columns": CONNECTION_COLUMNS},
    {"file": "connections-rounds3.adoc", "run": CONNECTIONS_RUN, "kind": "targets", "names": CONNECTIONS_TARGETS,
     "columns": CONNECTIONS_RUN_COLUMNS},
    {"file": "connections-rounds3-warm-up.adoc", "run": CONNECTIONS_WARM_UP_RUN, "kind": "targets",
     "names": CONNECTIONS_TARGETS, "columns": CONNECTIONS_RUN_COLUMNS},
    {"file": "connections-cluster-aot.adoc", "run": CONNECTIONS_CLUSTER_AOT_RUN, "kind": "targets",
     "names": CONNECTIONS_TARGETS, "columns": CONNECTIONS_RUN_COLUMNS},
    {"file": "connections-cluster-aot-aims.adoc", "run": CONNECTIONS_CLUSTER_AOT_RUN, "kind": "aims",
     "names": CONNECTIONS_TARGETS, "rows": connection_aims()},
    memory_table("default", ["qsio"]),
    memory_table("heap-free-ratio", ["qsio"]),
    memory_table("cluster-default", ["qsio-cluster", "node-uws-cluster"]),
    memory_table("cluster-heap-free-ratio", ["qsio-cluster", "node-uws-cluster"]),
    *full_tables("full", FULL),
    *full_tables("before", BEFORE),
    {"file": "fanout-fanout-1000.adoc", "run": FANOUT, "kind": "targets", "names": FANOUT_TARGETS,
     "columns": fanout_columns("1,000"), "bound": "fan-out 1,000: generator-bound"},
    {"file": "fanout-fanout-10000.adoc", "run": FANOUT, "kind": "targets", "names": FANOUT_TARGETS,
     "columns": fanout_columns("10,000"), "bound": "fan-out 10,000: generator-bound"},
    {"file": "fanout-aims.adoc", "run": FANOUT, "kind": "aims", "names": FANOUT_TARGETS, "rows": fanout_aims()},
    {"file": "compare-855b3b4.adoc", "run": "bench/runs/20261125-compare-855b3b4", "kind": "figures",
     "names": ["48fff7e11", "043e4afcc", "worktree"],
     "labels": ["48fff7e (before 855b3b4)", "043e4af (855b3b4's cost)", "with the fix (9ac5d4a)"],
     "short": ["48fff7e", "043e4af", "fix"]},
    {"file": "compare-coalesced.adoc", "run": "bench/runs/20261125-compare-coalesced-partitioned", "kind": "figures",
     "names": ["9aa383ac6", "3ba6d4218", "8b13f27a7"],
     "labels": ["9aa383a (before)", "broadcasts of a turn handed over together", "and large rooms by their loops"],
     "short": ["9aa383a", "together", "by loops"]},
    {"file": "compare-b953848-now.adoc", "run": "bench/runs/20261125-compare-b953848-48fff7e-start-now",
     "kind": "figures", "names": ["b9538483f", "48fff7e11", "2d86b950b", "worktree"],
     "labels": ["b953848 (runs D and E)", "48fff7e (before 855b3b4)", "2d86b95 (this session's start)",
                "now (ca17aa0)"],
     "short": ["b953848", "48fff7e", "2d86b95", "now"]},
    {"file": "compare-rounds5-eb1fa00.adoc", "run": "bench/runs/20261125-compare-rounds5-9ac5d4a-1327295-eb1fa00",
     "kind": "figures", "names": ["9ac5d4a03", "1327295b8", "eb1fa001e"],
     "labels": ["9ac5d4a", "1327295 (flush count per loop)", "eb1fa00 (broadcast path in one layer)"],
     "short": ["9ac5d4a", "1327295", "eb1fa00"]},
    {"file": "compare-043e4af-head.adoc", "run": "bench/runs/20261125-compare-043e4af-head", "kind": "figures",
     "names": ["043e4afcc", "1ac9c3339"], "labels": ["043e4af (the issue's start)", "1ac9c33"],
     "short": ["043e4af", "1ac9c33"]},
    # a cluster trained as a cluster (the primary's cache and its workers', quarkus.socketio.cluster.worker-aot-cache)
    # against the single process's cache for all three JVMs, one build (issue 68)
    {"file": "cluster-aot.adoc", "run": "bench/runs/20261202-cluster-aot/compare-2workers", "kind": "figures",
     "names": ["single", "cluster"],
     "labels": ["the single process's cache for all", "the primary's and the workers' own"],
     "short": ["single", "own"]},
    # WebTransport's UDP sockets with 4 MB buffers (56ee0f7) against the kernel's 208 KB, one process and 2 workers
    {"file": "compare-webtransport-socket-buffer.adoc", "run": "bench/runs/compare-90cefb6-56ee0f7-webtransport",
     "kind": "figures", "names": ["90cefb6aa", "56ee0f719"], "labels": ["90cefb6 (208 KB)", "56ee0f7 (4 MB)"],
     "short": ["90cefb6", "56ee0f7"]},
    {"file": "compare-webtransport-socket-buffer-2workers.adoc",
     "run": "bench/runs/compare-90cefb6-56ee0f7-webtransport-2workers", "kind": "figures",
     "names": ["90cefb6aa", "56ee0f719"], "labels": ["90cefb6 (208 KB)", "56ee0f7 (4 MB)"],
     "short": ["90cefb6", "56ee0f7"]},
    # WebTransport's datagrams batched (flushes held back until the loop's task ends, recvmmsg): 2d87a7e without the
    # socket's write buffer water mark raised, e6f711f with it, each against cdedec9
    {"file": "compare-webtransport-batched-first.adoc", "run": "bench/runs/compare-cdedec9-2d87a7e-webtransport",
     "kind": "figures", "names": ["cdedec96f", "2d87a7ee4"],
     "labels": ["cdedec9 (a flush a connection)", "2d87a7e (batched, 64 KB water mark)"],
     "short": ["cdedec9", "2d87a7e"]},
    {"file": "compare-webtransport-batched.adoc", "run": "bench/runs/compare-cdedec9-e6f711f-webtransport",
     "kind": "figures", "names": ["cdedec96f", "e6f711f42"],
     "labels": ["cdedec9 (a flush a connection)", "e6f711f (batched)"],
     "short": ["cdedec9", "e6f711f"]},
    {"file": "compare-webtransport-batched-2workers.adoc",
     "run": "bench/runs/compare-cdedec9-e6f711f-webtransport-2workers", "kind": "figures",
     "names": ["cdedec96f", "e6f711f42"], "labels": ["cdedec9 (a flush a connection)", "e6f711f (batched)"],
     "short": ["cdedec9", "e6f711f"]},
    # what an idle session holds, by kind (bench/memory-snapshot's snapshots of each process)
    {"file": "webtransport-memory.adoc", "run": "bench/runs/20261130-webtransport-memory", "kind": "memory-breakdown",
     "names": WEBTRANSPORT_TARGETS},
]


def overload_outcomes(a, srv, seconds):
    """The abusers' outcomes of an overload phase, in words, from their counters and the server's figures."""
    out = []
    if a.get("slow.paused"):
        ends = ", ".join(f"{v} {k.split('.')[-1]}" for k, v in sorted(a.items()) if k.startswith("slow.outcome.") and v)
        out.append(f"{a['slow.paused']} stopped reading: {ends} at the phase's end")
    if a.get("flood.connect"):
        out.append(f"flooders: {a.get('flood.emitted', 0):,} events emitted in {a['flood.connect']} connections, "
                   f"{srv.get('eventsLimited', 0):,} limited, "
                   f"{sum(v for k, v in a.items() if k.startswith('flood.disconnect.')):,} disconnected"
                   + (f", {srv['handshakesRefusedCooldown']:,} handshakes refused in their address's cooldown"
                      if srv.get("handshakesRefusedCooldown") else ""))
    if a.get("storm.sent"):
        out.append(f"storm from {a.get('storm.addresses', 0)} address(es): {a['storm.sent']:,} handshakes "
                   f"({a['storm.sent'] / seconds:,.0f}/s), {a.get('storm.status.200', 0):,} accepted, "
                   f"{a.get('storm.status.429', 0):,} refused past the address's limits (429)"
                   + (f" or the process's rate ({srv['handshakesRefusedServerRate']:,} of them by the servers' count)"
                      if srv.get("handshakesRefusedServerRate") else "")
                   + f", {a.get('storm.status.503', 0):,} at the process's max-connections (503)")
    if a.get("guess.attempts"):
        limited = sum(v for k, v in a.items() if k.startswith("guess.refused.too many"))
        other = sum(v for k, v in a.items() if k.startswith("guess.refused.") and "too many" not in k
                    and "invalid credentials" not in k)
        out.append(f"guesser: {a['guess.attempts']:,} logins, {a.get('guess.refused.invalid credentials', 0)} "
                   f"passwords checked, {limited:,} told it is limited, {other:,} refused at the handshake, "
                   f"{a.get('guess.accepted', 0)} let in")
    shed = srv.get("slowConsumersLagged", 0) + srv.get("slowConsumersShed", 0) + srv.get("bufferOverflows", 0)
    if shed:
        out.append(f"slow-consumer rules closed {shed}")
    return "; ".join(out) or "none"


def overload_table(results):
    # runs since 2026-11-26 also give the CPU of the clients' processes (the well-behaved, the abusers) per phase
    tenants = all("clientsCpuTicks" in p for p in results["phases"])
    lines = ['[cols="2,2,1,1,1,1,1,1,' + ("1,1," if tenants else "") + '2,2,6"]', "|===",
             "|Phase |Deliveries |p50 ms |p99 ms |max ms |ack p99 ms |disconnected, failed acks "
             "|CPU s (3 JVMs) " + ("|CPU s (well-behaved clients) |CPU s (abusers) " if tenants else "")
             + "|heap after GC, MB (most) |direct memory, MB (most) |The abusers", ""]
    for p in results["phases"]:
        direct = max((w.get("directCommittedKb", 0) for w in p["nativeMemory"].values() if isinstance(w, dict)),
                     default=0)
        cpu = sum(p["cpuSeconds"].values()) / 100
        others = f"|{p['clientsCpuTicks'] / 100:.1f} |{p['abusersCpuTicks'] / 100:.1f} " if tenants else ""
        lines.append(f"|{p['name']} |{p['deliveries']:,} |{p['latencyP50Ms']} |{p['latencyP99Ms']} "
                     f"|{p['latencyMaxMs']} |{p['ackP99Ms']} "
                     f"|{p['disconnects']}, {p['ackFailures']} |{cpu:.1f} {others}|{p['heap']['maxAfterGcMb']} "
                     f"|{direct / 1024:.0f} |{overload_outcomes(p['abusers'], p['server'], max(1, (p['end'] - p['start']) / 1000))}")
    lines.append("|===")
    v = results["violations"]
    h = results["histories"]
    broken = {k[len("violations."):]: n for k, n in h.items() if k.startswith("violations.")}
    lines.append("")
    lines.append(f"Over the whole run the well-behaved clients' histories hold {h.get('expected', 0):,} deliveries "
                 f"expected of {h.get('publishes', 0):,} broadcasts: "
                 + (", ".join(f"{n} {k}" for k, n in broken.items()) if broken else "none lost, duplicated or reordered")
                 + f"; {sum(n for k, n in h.items() if k.startswith('lost.'))} excused.")
    lim = results["limits"]
    slack = f" plus {lim['slackMs']} ms" if lim["slackMs"] else ""
    lines.append(f"The p99 bound ({lim['factor']:g} times the quiet phase's{slack}): {results['p99Bound']} ms. "
                 + ("No rule broken." if not v else f"{len(v)} rules broken: " + "; ".join(v)))
    return "\n".join(lines)


def deploy_table(results):
    layouts = results["plan"]["layouts"]
    lines = ['[cols="1,3,1,1,1,1,1,1,1,1"]', "|===",
             "|Layout |Step |Reconnections |Recovered |Offline p50 ms |Offline p99 ms |Offline max ms "
             "|Most reconnections in a second |Bound from drain-spread |CPU s of the servers that stayed", ""]
    for layout in layouts:
        for st in results[layout]["steps"]:
            lines.append(f"|{layout} |{st['step']} |{st['reconnections']:,} |{st['recovered']:,} |{st['offlineMsP50']:,} "
                         f"|{st['offlineMsP99']:,} |{st['offlineMsMax']:,} |{st['peakReconnectionsPerSecond']:,} "
                         f"|{st.get('herdBound', '-')} |{st['survivorsCpuSeconds']:.1f}")
    lines.append("|===")
    lines.append("")
    for layout in layouts:
        r = results[layout]
        c = r["counts"]
        broken = {k[len("violations."):]: n for k, n in c.items() if k.startswith("violations.")}
        acks = {k: n for k, n in c.items() if k.startswith("acks.upper.")}
        words = {"loss": "lost", "duplicate": "duplicated", "order": "reordered",
                 "recovery": "reconnections not recovered", "ack": "acknowledgements settled more than once or never"}
        excused = sum(n for k, n in c.items() if k.startswith('lost.'))
        lines.append(f"* `{layout}`: {c.get('expected', 0):,} deliveries expected, "
                     + (", ".join(f"{n:,} {words.get(k, k)}" for k, n in broken.items()) if broken
                        else "none lost, duplicated or reordered")
                     + (f" ({excused:,} excused: a killed host's last acknowledged broadcasts, or a client's around a "
                        f"reconnection it did not recover)" if excused else "")
                     + f"; {c.get('reconnections.recovered', 0):,} reconnections recovered; "
                     f"acknowledgements {acks.get('acks.upper.answered', 0):,} answered, "
                     f"{acks.get('acks.upper.error', 0):,} failed with an error, "
                     f"{acks.get('acks.upper.unsettled', 0)} never settled; clients not back at the end: "
                     f"{r['clientsNotBack']}.")
    return "\n".join(lines)


def webtransport_table(results):
    p = results["params"]
    rounds = results["rounds"]
    lines = ['[cols="3,2,2,1"]', "|===", "|Figure |WebSocket |WebTransport |WebTransport / WebSocket", ""]
    for key in rounds[0]["websocket"]:
        ws = sorted(r["websocket"][key] for r in rounds)
        wt = sorted(r["webtransport"][key] for r in rounds)
        mw, mt = statistics.median(ws), statistics.median(wt)
        lines.append(f"|{key} |{fmt(mw)} ({fmt(ws[0])}-{fmt(ws[-1])}) |{fmt(mt)} ({fmt(wt[0])}-{fmt(wt[-1])}) "
                     f"|{mt / mw:.2f}x")
    lines.append("|===")
    lines.append("")
    lines.append(f"{p['clients']:,} clients of the official browser client in one headless Chromium "
                 f"({results['versions']['chromium']}), {p['messages']:,} broadcasts of 100 characters to all of "
                 f"them, {p['rounds']} rounds (median, then min-max), the bench application in one process at "
                 f"{results['commit']} on {results['machine']['nproc']} CPUs, {results['started'][:16].replace('T', ' ')}"
                 f" UTC.")
    return "\n".join(lines)


def memory_breakdown_table(results, table):
    """KB per idle session by kind: the live heap (the run's own figure), glibc's malloc in use and the part of it the
    JVM does not track (the snapshots' malloc_info and NMT summary, idle less baseline, summed over the processes)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("breakdown", os.path.join(ROOT, "bench", "memory-breakdown.py"))
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)
    s = Summary(results, table["names"])
    lines = ['[cols="3,2,2,2"]', "|===",
             "|Target |live heap KB per idle session |malloc in use, KB per idle session "
             "|of it, the native code's (not the JVM's)", ""]
    for n in table["names"]:
        d = os.path.join(ROOT, table["run"], "snapshots", n)
        pids = sorted({f.split("-", 1)[1].split(".")[0] for f in os.listdir(d) if f.startswith("idle-")}, key=int)
        used = tracked = 0
        for pid in pids:
            read = lambda label, ext: open(os.path.join(d, f"{label}-{pid}.{ext}")).read()
            used += b.malloc_in_use(read("idle", "malloc")) - b.malloc_in_use(read("baseline", "malloc"))
            tracked += b.nmt(read("idle", "nmt"))[1] - b.nmt(read("baseline", "nmt"))[1]
        sessions = 10_000
        lines.append(f"|{s.labels[n]} (`{n}`) |{s.cell(n, 'live heap KB per idle connection')} "
                     f"|{used / 1024 / sessions:.2f} |{(used - tracked) / 1024 / sessions:.2f}")
    lines.append("|===")
    return "\n".join(lines)


def source(table):
    return f"// generated by bench/doc-tables.py from {table['run']}/results.json: do not edit\n"


def machine(s, results, table):
    m = results["machine"]
    v = results["versions"]
    known = ", ".join(f"{k} {x}" for k, x in v.items() if x and x != "?")
    loads = [float(x.split()[0]) for pair in s.loads for x in pair if x]
    lines = ['[cols="1,3"]', "|===",
             f"|Run |{results['started'][:16].replace('T', ' ')} to {results['finished'][11:16]} UTC, "
             f"{s.rounds} rounds: every target once per round, in turns",
             f"|Machine |{m['nproc']} CPUs, {m['cpuModel']}, {m['memoryGb']} GB, Linux {m['kernel']}",
             f"|Load |1-minute load average {min(loads):.2f} to {max(loads):.2f} at the targets' starts and ends; "
             f"other processes used at most {max(s.others) * 100:.1f}% of the CPU in a target's windows",
             f"|Versions |{known}",
             "|==="]
    return "\n".join(lines)


def targets_table(s, table):
    cols = table["columns"]
    bound = table.get("bound")
    lines = [f'[cols="3{",2" * len(cols)}"]', "|===",
             "|Target " + " ".join(f"|{label}" for _, label in cols), ""]
    for n in table["names"]:
        cells = []
        for i, (key, _) in enumerate(cols):
            c = s.cell(n, key)
            # a ladder that ended on a window the generator could not offer: its best is a lower bound
            if i < 2 and bound and s.values(n, bound) and c != "-":
                c = "≥ " + c
            cells.append(c)
        lines.append(f"|{s.labels[n]} (`{n}`) " + " ".join(f"|{c}" for c in cells))
    lines.append("|===")
    return "\n".join(lines)


def aims_table(s, table):
    lines = ['[cols="3,2,1,1,1"]', "|===", "|Figure |Ratio |Measured |Aim |Met", ""]
    for what, a, b, key, aim in table["rows"]:
        ma, mb = s.median(a, key), s.median(b, key)
        if ma is None or not mb:
            lines.append(f"|{what} |`{a}` / `{b}` |- |{aim} |-")
            continue
        r = ma / mb
        limit = float(aim.split()[1].rstrip("x"))
        met = r >= limit if aim.startswith(">=") else r <= limit
        lines.append(f"|{what} |`{a}` / `{b}` |{r:.2f}x |{aim} |{'yes' if met else 'no'}")
    lines.append("|===")
    return "\n".join(lines)


def figures_table(s, table):
    names, labels, short = table["names"], table["labels"], table["short"]
    cols = len(names) + len(names) - 1
    lines = [f'[cols="4{",3" * len(names)}{",2" * (len(names) - 1)}"]', "|===",
             "|Figure " + " ".join(f"|{label}" for label in labels)
             + "".join(f" |{short[i]} / {short[0]}" for i in range(1, len(names))), ""]
    for k in s.keys:
        if k.endswith("generator-bound"):
            continue
        cells = [s.cell(n, k) for n in names] + [s.ratio(n, names[0], k) for n in names[1:]]
        lines.append(f"|{k} " + " ".join(f"|{c}" for c in cells))
    assert cols == len(cells)
    lines.append("|===")
    return "\n".join(lines)


def render(table):
    results = json.load(open(os.path.join(ROOT, table["run"], "results.json")))
    if table["kind"] == "overload":
        return source(table) + overload_table(results) + "\n"
    if table["kind"] == "deploy":
        return source(table) + deploy_table(results) + "\n"
    if table["kind"] == "memory-breakdown":
        return source(table) + memory_breakdown_table(results, table) + "\n"
    if table["kind"] == "webtransport":
        return source(table) + webtransport_table(results).replace("us per delivery", "µs per delivery") + "\n"
    s = Summary(results, table["names"])
    kind = table["kind"]
    body = {"machine": lambda: machine(s, results, table), "targets": lambda: targets_table(s, table),
            "aims": lambda: aims_table(s, table), "figures": lambda: figures_table(s, table)}[kind]()
    return source(table) + body.replace("us per delivery", "µs per delivery") + "\n"


def main():
    check = "--check" in sys.argv[1:]
    differ = []
    os.makedirs(OUT, exist_ok=True)
    wanted = set()
    for table in TABLES:
        path = os.path.join(OUT, table["file"])
        wanted.add(table["file"])
        text = render(table)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            differ.append(path)
            if not check:
                open(path, "w").write(text)
    stale = [f for f in os.listdir(OUT) if f.endswith(".adoc") and f not in wanted]
    for f in stale:
        differ.append(os.path.join(OUT, f) + " (no table of TABLES writes it)")
        if not check:
            os.remove(os.path.join(OUT, f))
    if check and differ:
        print("not what the committed results give (run bench/doc-tables.py): " + ", ".join(
            os.path.relpath(p, ROOT) for p in differ))
        sys.exit(1)
    for p in differ if not check else []:
        print("wrote " + os.path.relpath(p.split(" (")[0], ROOT))


if __name__ == "__main__":
    main()
