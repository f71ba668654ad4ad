#!/usr/bin/env python3
"""Where the memory of idle connections goes, from the snapshots bench/memory-snapshot took at the two readings of
resident memory per idle connection (baseline: the cold set closed, after a collection; idle: the warm set open,
after a collection).

    bench/memory-breakdown.py DIR SESSIONS [--top N]

DIR holds <label>-<pid>.{rss,role,nmt,malloc,histo}; SESSIONS is the number of connections the warm set opened (the
report's "connections" line). Prints, per process and summed, KB per session for: the resident set; what the JVM
tracks (Native Memory Tracking: the Java heap committed, its malloc, the rest of its mappings); what glibc's malloc
holds in use; the malloc in use the JVM does not track (native libraries: here the QUIC stack, quiche and BoringSSL
under Netty's JNI); the live heap by class (GC.class_histogram, which collects first), the N largest.
"""
import re
import sys
from collections import defaultdict
from pathlib import Path


def read(path):
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def nmt(text):
    """(Java heap committed, JVM malloc, JVM mmap committed), bytes; None when NMT was off."""
    heap = re.search(r"Java Heap \(reserved=\d+KB, committed=(\d+)KB\)", text)
    malloc = re.search(r"^\s+malloc: (\d+)KB", text, re.M)
    mmap = re.search(r"^\s+mmap:\s+reserved=\d+KB, committed=(\d+)KB", text, re.M)
    if not (heap and malloc and mmap):
        return None
    return int(heap.group(1)) * 1024, int(malloc.group(1)) * 1024, int(mmap.group(1)) * 1024


def malloc_in_use(text):
    """glibc's bytes in use: its arenas' size, plus its mmapped chunks, less its free chunks (the totals after the
    last heap of malloc_info)."""
    tail = text[text.rfind("</heap>"):] if "</heap>" in text else ""
    if not tail:
        return None
    get = lambda kind, name: sum(int(v) for v in re.findall(rf'<{kind} type="{name}"(?: count="\d+")? size="(\d+)"', tail))
    return get("system", "current") + get("total", "mmap") - get("total", "fast") - get("total", "rest")


def histogram(text):
    out = {}
    for m in re.finditer(r"^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", text, re.M):
        out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    d = Path(sys.argv[1])
    n = int(sys.argv[2])
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 20
    pids = sorted({p.stem.split("-", 1)[1] for p in d.glob("idle-*.rss")}, key=int)
    if not pids:
        sys.exit(f"no idle-<pid>.rss in {d}")
    kb = lambda b: f"{b / 1024 / n:.2f}" if b is not None else "-"
    rows = []
    total = defaultdict(int)
    classes = defaultdict(lambda: [0, 0])
    for pid in pids:
        role = read(d / f"idle-{pid}.role").strip() or "process"
        rss = [int(read(d / f"{lbl}-{pid}.rss") or 0) * 1024 for lbl in ("baseline", "idle")]
        tracked = [nmt(read(d / f"{lbl}-{pid}.nmt")) for lbl in ("baseline", "idle")]
        used = [malloc_in_use(read(d / f"{lbl}-{pid}.malloc")) for lbl in ("baseline", "idle")]
        row = {"pid": pid, "role": role, "rss": rss[1] - rss[0]}
        if None not in tracked:
            row["heap"] = tracked[1][0] - tracked[0][0]
            row["jvm_malloc"] = tracked[1][1] - tracked[0][1]
            row["jvm_mmap_other"] = (tracked[1][2] - tracked[1][0]) - (tracked[0][2] - tracked[0][0])
        if None not in used:
            row["malloc"] = used[1] - used[0]
            if "jvm_malloc" in row:
                row["untracked"] = row["malloc"] - row["jvm_malloc"]
        h = [histogram(read(d / f"{lbl}-{pid}.histo")) for lbl in ("baseline", "idle")]
        live = 0
        for cls, (count, size) in h[1].items():
            c0, s0 = h[0].get(cls, (0, 0))
            classes[cls][0] += count - c0
            classes[cls][1] += size - s0
            live += size - s0
        for cls, (c0, s0) in h[0].items():
            if cls not in h[1]:
                classes[cls][0] -= c0
                classes[cls][1] -= s0
                live -= s0
        row["live"] = live if h[1] else None
        for k, v in row.items():
            if isinstance(v, int) and k != "pid":
                total[k] += v
        rows.append(row)
    cols = [("rss", "resident set"), ("heap", "Java heap committed"), ("live", "live heap (histogram)"),
            ("jvm_malloc", "JVM malloc (NMT)"), ("jvm_mmap_other", "JVM mappings but the heap (NMT)"),
            ("malloc", "glibc malloc in use"), ("untracked", "malloc the JVM does not track")]
    print(f"KB per session, {n} sessions: the idle reading less the baseline, per process\n")
    print("| process | " + " | ".join(c[1] for c in cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for r in rows:
        print(f"| {r['pid']} ({r['role']}) | " + " | ".join(kb(r.get(c[0])) for c in cols) + " |")
    if len(rows) > 1:
        print("| all | " + " | ".join(kb(total.get(c[0])) for c in cols) + " |")
    print(f"\nThe live heap's growth by class, the {top} largest (bytes and objects per session)\n")
    print("| class | bytes | objects |")
    print("|---|---:|---:|")
    for cls, (count, size) in sorted(classes.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"| `{cls}` | {size / n:.0f} | {count / n:.2f} |")


if __name__ == "__main__":
    main()
