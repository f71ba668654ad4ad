#!/usr/bin/env python3
"""The table of bench/compare: each figure's median over the rounds per commit (with its min and max), and the
ratio of each other commit's median to the first's. Usage: compare-table.py results.json NAME_A NAME_B [NAME ...]"""
import json
import statistics
import sys


def figures(target):
    f = {}
    c = target.get("connections") or {}
    f["handshakes/s (warm)"] = c.get("warmHandshakesPerSecond")
    f["KB per idle connection"] = c.get("rssPerConnectionKb")
    for size, fo in sorted((target.get("fanout") or {}).items(), key=lambda kv: int(kv[0])):
        best = fo.get("best") or {}
        sustained = fo.get("bestSustained") or {}
        fixed = fo.get("fixed") or {}
        f[f"fan-out {int(size):,}: best msg/s, p99 < 100 ms"] = best.get("deliveredPerSecond")
        f[f"fan-out {int(size):,}: best sustained msg/s"] = sustained.get("deliveredPerSecond")
        f[f"fan-out {int(size):,}: CPU us per delivery (sustained)"] = cpu_per_delivery(sustained)
        f[f"fan-out {int(size):,}: CPU us per delivery (fixed rate)"] = cpu_per_delivery(fixed)
        f[f"fan-out {int(size):,}: p99 ms at the fixed rate"] = (fixed.get("latency") or {}).get("p99")
    return f


def cpu_per_delivery(window):
    n = (window.get("deliveredPerSecond") or 0) * (window.get("seconds") or 0)
    return round(window["targetCpuSeconds"] / n * 1e6, 2) if n else None


def main():
    results = json.load(open(sys.argv[1]))
    names = sys.argv[2:]
    by_name = {n: [] for n in names}
    loads = []
    for t in results["targets"]:
        name = t["name"].split("#")[0]
        if name in by_name:
            by_name[name].append(figures(t))
        loads.append((t.get("loadBefore"), t.get("loadAfter")))
    keys = list(figures(results["targets"][0]).keys())
    rounds = min(len(v) for v in by_name.values())
    print(f"{rounds} rounds, interleaved ({' '.join(names)} in turn); load average before the first and after the "
          f"last: {loads[0][0]} / {loads[-1][1]}")
    print()
    header = "| figure | " + " | ".join(f"{n}: median (min-max)" for n in names) + "".join(
        f" | {n} / {names[0]}" for n in names[1:]) + " |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for k in keys:
        cells = []
        medians = []
        for n in names:
            vals = [r[k] for r in by_name[n] if r.get(k) is not None]
            if not vals:
                cells.append("-")
                medians.append(None)
                continue
            m = statistics.median(vals)
            medians.append(m)
            cells.append(f"{fmt(m)} ({fmt(min(vals))}-{fmt(max(vals))})")
        a = medians[0]
        ratios = [f"{b / a:.2f}x" if a and b is not None else "-" for b in medians[1:]]
        print(f"| {k} | " + " | ".join(cells + ratios) + " |")


def fmt(v):
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"


if __name__ == "__main__":
    main()
