#!/usr/bin/env bash
# The workers' own warm-up (a private engine and port in each, 2,000 sessions each: 4,000 in all, as the pre-ramp),
# no pre-ramp (W), interleaved with none at all (N5-N7): does warming the workers privately give what the pre-ramp gave?
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
here=bench/runs/20261203-pre-ramp
for i in 1 2 3; do
  QUARKUS_SOCKETIO_WARM_UP_CONNECTIONS=2000 BENCH_SKIP_BUILD=1 BENCH_NO_JFR=1 bench/run --only qsio-cluster --connections-only --out $here/W$i > $here/W$i.log 2>&1
  BENCH_SKIP_BUILD=1 BENCH_NO_JFR=1 bench/run --only qsio-cluster --connections-only --out $here/N$((i+4)) > $here/N$((i+4)).log 2>&1
done
