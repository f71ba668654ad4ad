#!/usr/bin/env python3
"""The optimizing compiler's queue over a JVM's life, from its compilation log.

    python3 queue.py <jit.log[.gz]> [--from HH:MM:SS.mmm --to HH:MM:SS.mmm]

The log is the JVM's `-Xlog:jit+compilation=debug:file=<path>:time,uptime`: one line per compilation as it starts,
with its task id, which the JVM gives when it queues the task. A task is taken as queued when the first line with an id
at least as high was written (the ids rise as tasks are queued, whichever compiler takes them). Prints, each second of
uptime, how many level-4 (C2) tasks were queued and not yet started, and how many had started; with --from and --to
(wall-clock times from the log's first column), the C2 compilations that started in that window and how long each had
waited.
"""
import gzip
import re
import statistics
import sys

LINE = re.compile(r"\[\S+T(\S+)\+\d{4}\]\[(\S+)s\]\s+(.*)")


def rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            fields = m.group(3).split()
            if not fields or not fields[0].isdigit():
                continue
            i = 1
            while i < len(fields) and not fields[i].isdigit():
                i += 1  # the flags (%, s, !, b, n) before the level
            if i + 1 >= len(fields):
                continue
            yield {"wall": m.group(1), "uptime": float(m.group(2)), "id": int(fields[0]), "level": fields[i],
                   "method": fields[i + 1], "discarded": "made not entrant" in line}


def main():
    args = sys.argv[1:]
    path = args[0]
    window = None
    if "--from" in args:
        window = (args[args.index("--from") + 1], args[args.index("--to") + 1])
    all_rows = list(rows(path))
    queued_at = {}
    highest = 0
    for r in all_rows:
        if r["id"] > highest:
            for k in range(highest + 1, r["id"] + 1):
                queued_at[k] = r["uptime"]
            highest = r["id"]
    c2 = [(queued_at.get(r["id"], r["uptime"]), r) for r in all_rows if r["level"] == "4" and not r["discarded"]]
    print(f"C2 compilations: {len(c2)}")
    end = int(max(r["uptime"] for _, r in c2)) + 2 if c2 else 0
    print("uptime s | C2 tasks waiting | C2 tasks started")
    for t in range(end):
        waiting = sum(1 for q, r in c2 if q <= t < r["uptime"])
        started = sum(1 for _, r in c2 if r["uptime"] <= t)
        print(f"{t:8d} | {waiting:16d} | {started:16d}")
    if window:
        inside = [(r["uptime"] - q, r) for q, r in c2 if window[0] <= r["wall"] <= window[1]]
        waits = [w for w, _ in inside]
        print(f"C2 compilations started from {window[0]} to {window[1]}: {len(inside)}, waited"
              f" median {statistics.median(waits) if waits else 0:.1f} s, max {max(waits) if waits else 0:.1f} s")


if __name__ == "__main__":
    main()
