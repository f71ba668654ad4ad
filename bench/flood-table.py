#!/usr/bin/env python3
"""One table of several bench/flood runs, grouped by label (a trailing "-r<N>" names a round of the same label).

    bench/flood-table.py bench/runs/20261128-flood-*        # every run directory given, in the order of the labels met

Each cell gives every round's figure, in the order given, so that the spread shows beside the figure.
"""
import json
import re
import sys
from pathlib import Path


def load(d):
    r = json.loads((Path(d) / "results.json").read_text())
    label = re.sub(r"-r\d+$", "", r.get("label") or Path(d).name)
    w = {x["window"]: x for x in r["windows"]}
    q, f = w["quiet"], w["flood"]
    fl = r["flooder"]
    return label, {
        "quiet p99": q["latency"]["p99"],
        "flood p99": f["latency"]["p99"],
        "p99 ratio": r["ratio"]["p99"],
        "p50 ratio": r["ratio"]["p50"],
        "flooder emitted": fl["sent"],
        "acknowledged": fl["ok"],
        "refused (error ack)": sum(fl["refused"].values()),
        "disconnected": sum(fl["disconnects"].values()),
        "flood deliveries": f["floodDeliveries"],
        "server CPU quiet s": round(q["cpu"]["server"], 1),
        "server CPU flood s": round(f["cpu"]["server"], 1),
        "flooder CPU s": round(f["cpu"]["flooder"], 1),
        "others' CPU s": round(max(q["cpu"].get("others", float("nan")), f["cpu"].get("others", float("nan"))), 1),
        "missing": q["missing"] + f["missing"],
    }


def main(dirs):
    groups = {}
    for d in dirs:
        label, figures = load(d)
        groups.setdefault(label, []).append(figures)
    columns = list(next(iter(groups.values()))[0].keys())
    print("| run | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for label, rounds in groups.items():
        cells = [" / ".join(str(r[c]) for r in rounds) for c in columns]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
