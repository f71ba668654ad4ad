package dev.qsio.runtime.cluster;

import java.util.Locale;
import java.util.function.Function;

import dev.qsio.ClusterInfo.Role;
import io.quarkus.runtime.LaunchMode;

/**
 * Decides what this process is: a single server, the primary of a cluster, or one of its workers.
 * <p>
 * A process whose environment says {@code CLUSTER_WORKER=true} is a worker (the primary put it there). Otherwise,
 * the packaged application in prod mode is the primary when {@code quarkus.socketio.cluster.enabled} is true, or
 * unset with {@code quarkus.socketio.cluster.workers} set to more than 0. An explicit {@code enabled=false} wins, so
 * that a platform that scales with replicas (Kubernetes) can start a packaged cluster as one process without
 * rebuilding it. Everything else, dev and test modes included, is a single process.
 */
public final class Roles {

    static final String ENABLED = "quarkus.socketio.cluster.enabled";
    static final String WORKERS = "quarkus.socketio.cluster.workers";

    private Roles() {
    }

    /** The role, reading configuration through {@code config} (a key to its raw value, or null). */
    public static Role decide(Function<String, String> config) {
        return decide("true".equals(System.getenv(Identity.ENV_WORKER)), LaunchMode.current(), config);
    }

    static Role decide(boolean startedAsWorker, LaunchMode mode, Function<String, String> config) {
        if (startedAsWorker) {
            return Role.WORKER;
        }
        if (mode != LaunchMode.NORMAL) {
            return Role.SINGLE;
        }
        String enabled = trimmed(config.apply(ENABLED));
        String workers = trimmed(config.apply(WORKERS));
        if (workers != null && workers.equals("0")) {
            return Role.SINGLE;
        }
        if (enabled != null) {
            return isTrue(enabled) ? Role.PRIMARY : Role.SINGLE;
        }
        return workers != null ? Role.PRIMARY : Role.SINGLE;
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** True as SmallRye Config's boolean converter reads it. */
    private static boolean isTrue(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "y", "on" -> true;
            default -> false;
        };
    }
}
