#!/usr/bin/env python3
"""Where the CPU of a connections ramp goes, from async-profiler's collapsed stacks of bench/run's connections profile
(BENCH_ASYNC_PROFILER with --connections-only: <target>-connections*.collapsed, each sample a millisecond of CPU).

    bench/handshake-profile-table.py <stacks.collapsed[.gz]> <handshakes the process served> [more pairs...]

For each process: the JIT compilers, the garbage collector, the work under the cluster's hand-off frames
(dev.qsio.runtime.handoff: a worker replays each handed-off connection's request through its pipeline from there, so
its HTTP decoding, WebSocket upgrade and engine work are counted apart inside it), the same work outside the hand-off
(one process), epoll_wait, and the rest; in milliseconds, percent of the process and microseconds per handshake.
"""
import collections
import gzip
import sys


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            stack, n = line.rstrip().rsplit(" ", 1)
            yield stack, int(n)


def work(s):
    if "WebSocketServerHandshaker" in s or "Http1xServerRequest.toWebSocket" in s or "ServerWebSocketHandshaker" in s:
        return "the WebSocket upgrade (Vert.x, Netty's handshaker)"
    if "dev/qsio/runtime/engine" in s or "dev/qsio/runtime/server" in s:
        return "the engine and the server (Engine.IO open, CONNECT, events)"
    if "HttpObjectDecoder" in s or "HttpServerCodec" in s or "HttpRequestDecoder" in s:
        return "HTTP decoding"
    if "io/vertx/ext/web" in s:
        return "Vert.x Web's router"
    return None


def kind(s):
    if "C2Compiler" in s or "Compile::" in s:
        return "C2 compiler"
    if "CompileBroker" in s or "Compiler::compile" in s:
        return "C1 and other compilers"
    if "G1" in s:
        return "garbage collector"
    if "dev/qsio/runtime/handoff" in s:
        if "onDescriptor" in s:
            return "hand-off: the descriptor's channel (onDescriptor)"
        w = work(s)
        return "hand-off: " + w if w else "hand-off: the rest (registration, replay, pipeline, primary's side)"
    w = work(s)
    if w:
        return w
    if "epoll_wait" in s:
        return "epoll_wait"
    return "the rest"


def main(args):
    for path, handshakes in zip(args[0::2], args[1::2]):
        handshakes = int(handshakes)
        counts = collections.Counter()
        total = 0
        for stack, n in read(path):
            counts[kind(stack)] += n
            total += n
        print(f"\n{path}: {total} ms, {1000 * total / handshakes:.0f} µs per handshake ({handshakes})\n")
        print("| part | ms | % | µs per handshake |")
        print("|---|---:|---:|---:|")
        for k, v in counts.most_common():
            print(f"| {k} | {v} | {100 * v / total:.1f} | {1000 * v / handshakes:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) < 3 or len(sys.argv) % 2 == 0:
        sys.exit(__doc__)
    main(sys.argv[1:])
