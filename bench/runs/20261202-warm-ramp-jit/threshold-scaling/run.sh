#!/bin/bash
# CompileThresholdScaling=3 on every JVM of the targets against the default, interleaved
cd /work/main
for r in 1 2 3; do
  BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio,qsio-cluster --connections-only --out /tmp/cts/A$r > /tmp/cts/A$r.log 2>&1
  BENCH_JVM_OPTS="-XX:CompileThresholdScaling=3" BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio,qsio-cluster --connections-only --out /tmp/cts/S$r > /tmp/cts/S$r.log 2>&1
done
