#!/usr/bin/env bash
# The same herd at a06cd0f (the build of bench/runs/20261129-herd-roll's "new" runs, in a worktree with its own AOT
# cache) beside this build cold and warm, in turns: is today's slower first herd the code's or the machine's?
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=bench/runs/20261203-herd-warm-start/against-a06cd0f
mkdir -p "$out"
old_jar=${OLD_JAR:-/tmp/wt-a06/bench/quarkus-app/target/quarkus-app/quarkus-run.jar}
for r in $(seq 1 "${ROUNDS:-3}"); do
  for v in a06cd0f cold warm; do
    opts=""; jar=""
    [ "$v" = cold ] && opts="-Dquarkus.socketio.warm-up.connections=0"
    [ "$v" = a06cd0f ] && jar=$old_jar
    echo "== $v-r$r $(date -u +%H:%M:%S)"
    BENCH_SKIP_BUILD=1 BENCH_APP_JAR="$jar" BENCH_SERVER_OPTS="$opts" bench/failover --clients 1000 --kills 2 --rolls 0 \
      --rate 5 --ack-rate 50 --recovery --drivers 4 --out "$out/$v-r$r" > "$out/$v-r$r.log" 2>&1
    gzip -f "$out/$v-r$r/results.json" 2>/dev/null || true
  done
done
