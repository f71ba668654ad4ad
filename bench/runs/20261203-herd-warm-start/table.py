#!/usr/bin/env python3
"""Medians (min-max) over the runs of each variant of this folder: python3 table.py [subfolder]."""
import re, statistics, sys, pathlib
from collections import defaultdict

root = pathlib.Path(__file__).parent / (sys.argv[1] if len(sys.argv) > 1 else "")
rows = defaultdict(lambda: defaultdict(list))
for md in sorted(root.glob("*-r*/results.md")):
    variant = md.parent.name.rsplit("-r", 1)[0]
    for line in md.read_text().splitlines():
        m = re.match(r"\| ([12]) \| \d+ \| \d+ \| (\d+) / (\d+) / \d+ \| [\d ]+/ [\d ]+\| (\d+) / (\d+) \|", line)
        if m:
            k = m.group(1)
            for name, v in zip(("back p50", "back p99", "attempt→connect p50", "attempt→connect p99"), m.groups()[1:]):
                rows[variant][f"kill {k}: {name}"].append(int(v))

def cell(vs):
    return f"{statistics.median(vs):,.0f} ({min(vs):,}-{max(vs):,})" if vs else "–"

variants = list(rows)
figures = list(dict.fromkeys(f for v in variants for f in rows[v]))
print("| ms, median (min-max) | " + " | ".join(f"{v} ({len(next(iter(rows[v].values())))} runs)" for v in variants) + " |")
print("|---" * (len(variants) + 1) + "|")
for f in figures:
    print(f"| {f} | " + " | ".join(cell(rows[v][f]) for v in variants) + " |")
