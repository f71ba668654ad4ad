#!/usr/bin/env python3
"""Where a target's CPU goes per delivery, from async-profiler's collapsed stacks (BENCH_PROFILE_RATES windows).

    bench/profile-table.py <stacks.collapsed[.gz]> <deliveries in the window> [--top N]

Each sample is a millisecond of CPU. The stacks are put in one of: the write system calls (sendto, writev) with the
TCP work they run, a WebTransport listener's datagram calls (sendmmsg, recvmmsg), QUIC and TLS in native code
(quiche and BoringSSL, from Netty's QUIC codec), epoll_wait, other kernel work, the garbage collector's threads, and
the rest (user space); the samples
under the fan-out's flush are given apart. With --top, the N methods with the most samples of their own.
"""
import collections
import gzip
import sys


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            stack, count = line.rsplit(" ", 1)
            yield stack, int(count)


def category(stack):
    if "G1" in stack or "GangWorker" in stack or "ConcurrentGCThread" in stack:
        return "garbage collector threads"
    if "libnetty_quiche" in stack.rsplit(";", 1)[-1]:
        return "QUIC and TLS in native code (quiche, BoringSSL: its symbols are stripped)"
    if any(s in stack for s in ("__x64_sys_writev", "__x64_sys_sendto", "do_writev", "__sys_sendto")):
        return "write system calls (sendto, writev) and the TCP work they run"
    if "__sys_sendmmsg" in stack or "__x64_sys_sendmmsg" in stack:
        return "datagram write system calls (sendmmsg) and the UDP work they run"
    if "do_recvmmsg" in stack:
        return "datagram read system calls (recvmmsg)"
    if "epoll_wait" in stack:
        return "epoll_wait"
    if "_[k]" in stack:
        return "other kernel work"
    return "user space"


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, deliveries = argv[1], float(argv[2])
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 0
    cats, own = collections.Counter(), collections.Counter()
    total = flush = 0
    for stack, n in read(path):
        total += n
        cats[category(stack)] += n
        own[stack.split(";")[-1]] += n
        if "Fanout$Flusher.run" in stack:
            flush += n
    us = lambda n: n / deliveries * 1000
    print(f"| {path} | samples | µs per delivery |\n|---|---:|---:|")
    print(f"| all | {total} | {us(total):.2f} |")
    for k, v in cats.most_common():
        print(f"| {k} | {100 * v / total:.1f}% | {us(v):.2f} |")
    print(f"| of all: under the fan-out's flush | {100 * flush / total:.1f}% | {us(flush):.2f} |")
    for k, v in own.most_common(top):
        print(f"| own: {k} | {100 * v / total:.1f}% | {us(v):.2f} |")


if __name__ == "__main__":
    main(sys.argv)
