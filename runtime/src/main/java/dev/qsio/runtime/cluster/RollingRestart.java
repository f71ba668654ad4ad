package dev.qsio.runtime.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jboss.logging.Logger;

import dev.qsio.WorkerState;
import dev.qsio.runtime.cluster.WorkerProcesses.Incarnation;
import dev.qsio.runtime.cluster.WorkerProcesses.ManagedWorker;

/**
 * Rolling restarts of a primary's workers: one worker at a time, its new process ready before the old one drains. A
 * restart asked while one runs is not lost: one more follows it, for the processes started before that request.
 */
final class RollingRestart {

    private static final Logger LOG = Logger.getLogger(RollingRestart.class);

    private final WorkerProcesses processes;
    private CompletableFuture<Void> rolling = CompletableFuture.completedFuture(null);
    /** The rolling restart asked for during the one under way, started when it ends; null when none is asked. */
    private CompletableFuture<Void> followUp;

    RollingRestart(WorkerProcesses processes) {
        this.processes = processes;
    }

    /** Replaces every worker started before now; completes when the last one is replaced. */
    synchronized CompletableFuture<Void> start() {
        if (!rolling.isDone()) {
            // asked during a restart (a second deploy): the processes started before this request may run the build
            // before it, those the restart under way has replaced already included; one more restart follows it for
            // them, shared by every request made meanwhile
            if (followUp == null) {
                long asked = System.nanoTime();
                LOG.info("Rolling restart asked during one: another follows it for the workers started before");
                followUp = rolling.handle((v, e) -> null).thenCompose(v -> {
                    synchronized (this) {
                        followUp = null;
                        return restartStartedBefore(asked);
                    }
                });
            }
            return followUp;
        }
        return restartStartedBefore(System.nanoTime());
    }

    /** Replaces, one at a time, every worker whose process was started before {@code nanos} ({@link System#nanoTime}). */
    private synchronized CompletableFuture<Void> restartStartedBefore(long nanos) {
        // a worker still starting runs what was there before the request too: it is replaced once ready (one waiting
        // to be started again after a crash is not: the process it starts is a new one)
        List<ManagedWorker> targets = processes.all().stream().filter(w -> w.current != null
                && (w.state == WorkerState.RUNNING || w.state == WorkerState.STARTING)
                && w.current.startNanos - nanos < 0).toList();
        LOG.infof("Rolling restart of %d workers", targets.size());
        List<Incarnation> retiring = new ArrayList<>();
        for (ManagedWorker w : targets) {
            Incarnation i = w.current;
            if (i != null) {
                i.retiring = true;
                retiring.add(i);
            }
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (ManagedWorker w : targets) {
            Incarnation asked = w.current;
            chain = chain.thenCompose(v -> asked.ready.handle((r, e) -> null)).thenCompose(v -> {
                // not ready after all (it failed to start): what is started for it next is new
                boolean same = w.current == asked && asked.readyOnce();
                return same ? processes.replace(w) : CompletableFuture.<Void> completedFuture(null);
            });
        }
        rolling = chain.whenComplete((v, e) -> {
            // the processes a stopped restart did not replace take their share again
            retiring.forEach(i -> i.retiring = false);
            if (e != null) {
                LOG.errorf(e, "Rolling restart stopped");
            } else {
                LOG.info("Rolling restart done");
            }
        });
        return rolling;
    }
}
