package dev.qsio.runtime.cluster;

import java.util.function.Function;

import dev.qsio.ClusterInfo.Role;
import io.quarkus.runtime.LaunchMode;

/**
 * Decides what this process is: a single server, the primary of a cluster, or one of its workers.
 * <p>
 * A process whose environment says {@code CLUSTER_WORKER=true} is a worker (the primary put it there). Otherwise,
 * the packaged application in prod mode with clustering enabled ({@code quarkus.socketio.cluster.enabled=true} or
 * {@code quarkus.socketio.cluster.workers} set) is the primary. Everything else, dev and test modes included, is a
 * single process.
 */
public final class Roles {

    private Roles() {
    }

    /** The role, reading configuration through {@code config} (a key to its raw value, or null). */
    public static Role decide(Function<String, String> config) {
        if ("true".equals(System.getenv(Identity.ENV_WORKER))) {
            return Role.WORKER;
        }
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return Role.SINGLE;
        }
        String enabled = config.apply("quarkus.socketio.cluster.enabled");
        String workers = config.apply("quarkus.socketio.cluster.workers");
        if ("true".equalsIgnoreCase(enabled) || (workers != null && !workers.isBlank())) {
            return Role.PRIMARY;
        }
        return Role.SINGLE;
    }
}
