#!/usr/bin/env bash
# The herd of a worker's SIGKILL under 1,000 official clients, the cluster's workers started cold or warmed through the
# primary (the default since 97bc486f). One build (bench/quarkus-app at the commit named in README.md, with its AOT
# cache from bench/aot-train), the variants in turns; the cold one sets the warm-up to 0 on the server's command line
# (a worker started after a crash warms up in neither).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=bench/runs/20261203-herd-warm-start
rounds=${ROUNDS:-4}
for r in $(seq 1 "$rounds"); do
  for v in cold warm; do
    opts=""
    [ "$v" = cold ] && opts="-Dquarkus.socketio.warm-up.connections=0"
    echo "== $v-r$r $(date -u +%H:%M:%S)"
    BENCH_SKIP_BUILD=1 BENCH_SERVER_OPTS="$opts" bench/failover --clients 1000 --kills 2 --rolls 0 --rate 5 \
      --ack-rate 50 --recovery --drivers 4 --out "$out/$v-r$r" > "$out/$v-r$r.log" 2>&1
    gzip -f "$out/$v-r$r/results.json" 2>/dev/null || true
    tail -2 "$out/$v-r$r.log"
  done
done
