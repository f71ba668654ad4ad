#!/bin/bash
# the Tier4 thresholds three times their defaults (Tier3 and below as they are) on every JVM of the targets, against the
# default, interleaved; the build and AOT caches of A1's run
cd /work/main
T4="-XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=1800 -XX:Tier4CompileThreshold=45000 -XX:Tier4BackEdgeThreshold=120000"
for r in 1 2 3 4 5; do
  BENCH_JVM_OPTS="$T4" BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio,qsio-cluster --connections-only --out /tmp/t4/T$r > /tmp/t4/T$r.log 2>&1
  if [ $r -lt 5 ]; then
    BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio,qsio-cluster --connections-only --out /tmp/t4/A$((r+1)) > /tmp/t4/A$((r+1)).log 2>&1
  fi
  echo "round $r done $(date +%T)" >> /tmp/t4/progress
done
