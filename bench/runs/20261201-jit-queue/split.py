#!/usr/bin/env python3
"""Where a warm ramp's CPU went, from async-profiler's collapsed CPU stacks (one sample a millisecond).

    python3 split.py <stacks.collapsed[.gz]> [handshakes]

Puts each stack in one of: the optimizing compiler (C2), the quick compiler (C1), the garbage collector's threads,
the kernel (a stack whose leaf is a kernel frame, `_[k]`, outside the three above), and the rest (user space: the
application, Vert.x, Netty, the JVM's runtime). With a handshake count, also the µs per handshake.
"""
import gzip
import sys


def category(stack):
    frames = stack.split(";")
    if any("C2Compiler" in f or "Compile::Compile" in f or "PhaseIdealLoop" in f or "PhaseChaitin" in f for f in frames):
        return "C2"
    if any(f.startswith("Compilation::") or "C1_Compiler" in f or f.startswith("Compiler::compile_method") for f in frames):
        return "C1"
    if any(f.startswith(("G1", "WorkerThread::run", "ConcurrentGCThread", "GangWorker")) for f in frames):
        return "GC"
    if frames[-1].endswith("_[k]"):
        return "kernel"
    return "user"


def main():
    path = sys.argv[1]
    handshakes = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    opener = gzip.open if path.endswith(".gz") else open
    totals = {}
    with opener(path, "rt") as f:
        for line in f:
            stack, count = line.rstrip("\n").rsplit(" ", 1)
            c = category(stack)
            totals[c] = totals.get(c, 0) + int(count)
    whole = sum(totals.values())
    print("| part | ms | share |" + (" µs per handshake |" if handshakes else ""))
    print("|---|---:|---:|" + ("---:|" if handshakes else ""))
    for c in ("C2", "C1", "GC", "kernel", "user"):
        ms = totals.get(c, 0)
        row = f"| {c} | {ms:,} | {100 * ms / whole:.0f}% |"
        if handshakes:
            row += f" {1000 * ms / handshakes:.0f} |"
        print(row)
    print(f"| all | {whole:,} | 100% |" + (f" {1000 * whole / handshakes:.0f} |" if handshakes else ""))


if __name__ == "__main__":
    main()
