#!/usr/bin/env bash
# The same herd with 500 warm-up sessions a worker (the setting given on the server's command line) beside the default
# (2,000 each of two), in turns.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=bench/runs/20261203-herd-warm-start/share
mkdir -p "$out"
for r in $(seq 1 "${ROUNDS:-3}"); do
  for v in w500 default; do
    opts=""
    [ "$v" = w500 ] && opts="-Dquarkus.socketio.warm-up.connections=500"
    echo "== $v-r$r $(date -u +%H:%M:%S)"
    BENCH_SKIP_BUILD=1 BENCH_SERVER_OPTS="$opts" bench/failover --clients 1000 --kills 2 --rolls 0 --rate 5 \
      --ack-rate 50 --recovery --drivers 4 --out "$out/$v-r$r" > "$out/$v-r$r.log" 2>&1
    gzip -f "$out/$v-r$r/results.json" 2>/dev/null || true
  done
done
