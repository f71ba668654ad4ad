package dev.qsio;

import java.time.Duration;

/**
 * A step in the life of a worker, fired as a CDI event in the primary. Observe it with
 * {@code void on(@Observes WorkerLifecycleEvent event)}.
 *
 * @param kind what happened
 * @param workerId the worker ({@code -1} for {@link Kind#SHUTDOWN})
 * @param pid the process concerned, or {@code -1}
 * @param exitCode the exit code for {@link Kind#EXITED}, otherwise {@code 0}
 * @param delay the wait before the restart for {@link Kind#RESPAWNING}, otherwise zero
 * @param reason why, for {@link Kind#EXITED} and {@link Kind#FAILED}
 */
public record WorkerLifecycleEvent(Kind kind, int workerId, long pid, int exitCode, Duration delay, String reason) {

    public enum Kind {
        /** A worker process was started. */
        SPAWNED,
        /** It accepts connections. */
        READY,
        /** Its process ended. */
        EXITED,
        /** It will be restarted after {@code delay}. */
        RESPAWNING,
        /** It crashed too often and will not be restarted. */
        FAILED,
        /**
         * It sent no heartbeat for {@code quarkus.socketio.cluster.heartbeat-timeout} (a long GC pause, a stopped
         * process): not ready, it takes no new connections and keeps its sessions.
         */
        STALLED,
        /** A stalled worker spoke again: ready as before. */
        RESUMED,
        /** The cluster is shutting down. */
        SHUTDOWN
    }
}
