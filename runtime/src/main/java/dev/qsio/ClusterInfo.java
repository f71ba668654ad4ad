package dev.qsio;

/**
 * Who this process is in the cluster. Inject it anywhere.
 * <p>
 * A process started without clustering is a single worker, id {@code 0}. In a cluster the primary supervises the
 * workers, whose ids ({@code 1..n}) are stable across their restarts; every worker's environment also carries
 * {@code CLUSTER_WORKER=true} and {@code CLUSTER_WORKER_ID=<n>}.
 */
public interface ClusterInfo {

    /** The role of this process. */
    Role role();

    /** This worker's id: {@code 0} when not clustered, {@code 1..n} in a cluster, {@code -1} in the primary. */
    int workerId();

    /** The node (host) id, shared by the primary and workers of one host. */
    String nodeId();

    /** This process's id. */
    long pid();

    default boolean isPrimary() {
        return role() == Role.PRIMARY;
    }

    default boolean isWorker() {
        return role() != Role.PRIMARY;
    }

    enum Role {
        /** One process serving clients, not clustered. */
        SINGLE,
        /** The supervisor of a cluster: serves no clients. */
        PRIMARY,
        /** A worker of a cluster. */
        WORKER
    }
}
