#!/bin/bash
# the flag on the primary alone: both runs give the workers the same options without it
cd /work/main
out=bench/runs/20261202-cluster-aot/tier4-load-feedback-primary
mkdir -p $out
export QUARKUS_SOCKETIO_CLUSTER_WORKER_JVM_OPTIONS="-XX:AOTMode=on -Xmx2g -XX:+UseG1GC"
for r in 1 2 3 4 5; do
  BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio-cluster --connections-only --out /tmp/lfp/A$r > /tmp/lfp-A$r.log 2>&1
  BENCH_JVM_OPTS="-XX:Tier4LoadFeedback=0" BENCH_NO_JFR=1 BENCH_SKIP_BUILD=1 bench/run --only qsio-cluster --connections-only --out /tmp/lfp/P$r > /tmp/lfp-P$r.log 2>&1
done
