#!/bin/bash
cd /work/main
for r in 4 5; do
  BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio,qsio-cluster --connections-only --out /tmp/cts/A$r > /tmp/cts/A$r.log 2>&1
  BENCH_JVM_OPTS="-XX:CompileThresholdScaling=3" BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio,qsio-cluster --connections-only --out /tmp/cts/S$r > /tmp/cts/S$r.log 2>&1
done
for r in 1 2; do
  BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio --fanout-only --out /tmp/ctsf/A$r > /tmp/ctsf/A$r.log 2>&1
  BENCH_JVM_OPTS="-XX:CompileThresholdScaling=3" BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio --fanout-only --out /tmp/ctsf/S$r > /tmp/ctsf/S$r.log 2>&1
done
