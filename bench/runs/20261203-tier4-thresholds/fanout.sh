#!/bin/bash
# the fan-out (broadcasts) of one process with the Tier4 thresholds x3 against the default, 2 interleaved pairs
cd /work/main
T4="-XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=1800 -XX:Tier4CompileThreshold=45000 -XX:Tier4BackEdgeThreshold=120000"
while pgrep -f /tmp/t4/run.sh > /dev/null; do sleep 5; done
for r in 1 2; do
  BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio --fanout-only --out /tmp/t4f/A$r > /tmp/t4f/A$r.log 2>&1
  BENCH_JVM_OPTS="$T4" BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio --fanout-only --out /tmp/t4f/T$r > /tmp/t4f/T$r.log 2>&1
  echo "fan round $r done $(date +%T)" >> /tmp/t4/progress
done
