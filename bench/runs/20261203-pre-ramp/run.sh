#!/usr/bin/env bash
# Issue 68: what would a warm-up through the cluster's own port (primary's acceptor, hand-off, the workers' receiving
# side and their engines) give its first ramp? An upper bound without building it: the load generator opens and closes
# BENCH_PRE_RAMP connections through the port right after ready, before the measured first ramp. Pairs interleaved,
# N (none) then P (4,000), the same build, 2 workers, the AOT caches bench/run trained.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
here=bench/runs/20261203-pre-ramp
for i in 1 2 3 4; do
  BENCH_SKIP_BUILD=1 BENCH_NO_JFR=1 bench/run --only qsio-cluster --connections-only --out $here/N$i > $here/N$i.log 2>&1
  BENCH_PRE_RAMP=4000 BENCH_SKIP_BUILD=1 BENCH_NO_JFR=1 bench/run --only qsio-cluster --connections-only --out $here/P$i > $here/P$i.log 2>&1
done
