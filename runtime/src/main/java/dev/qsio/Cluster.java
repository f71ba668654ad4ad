package dev.qsio;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * Controls the workers of this host: available in the primary of a cluster. In a worker or a single process
 * {@link #workers()} is empty and the other operations fail with {@link IllegalStateException}.
 */
public interface Cluster {

    /** Every worker with its state. */
    List<WorkerInfo> workers();

    /**
     * Starts or stops workers until {@code n} run; completes when the new ones are ready and the others stopped.
     *
     * @throws IllegalArgumentException when {@code n} is negative or above {@code quarkus.socketio.cluster.max-workers}
     */
    Uni<Void> scaleTo(int n);

    default Uni<Void> scaleUp(int n) {
        return scaleTo((int) workers().stream().filter(w -> w.state().live()).count() + n);
    }

    default Uni<Void> scaleDown(int n) {
        return scaleTo(Math.max(0, (int) workers().stream().filter(w -> w.state().live()).count() - n));
    }

    /**
     * Replaces every worker, one at a time, without downtime: the replacement starts and becomes ready before the
     * old one stops listening and drains.
     */
    Uni<Void> rollingRestart();

    /** Sends a message to one worker, where it arrives as a {@link ClusterMessage} CDI event. */
    void send(int workerId, Object message);

    /** Sends a message to every worker. */
    void broadcast(Object message);
}
