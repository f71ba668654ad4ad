package dev.qsio.runtime.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.config.Checks;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The rules of the cluster's settings ({@code quarkus.socketio.cluster.*}) and of the settings whose meaning depends
 * on the process's role; a value that breaks one fails startup with a message naming the key.
 */
public final class ClusterSettings {

    private static final String KEY = "quarkus.socketio.cluster.";
    /** A cookie's name: an HTTP token. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** A cookie's {@code Path} value: printable, without {@code ;} (RFC 6265's path-value). */
    private static final Pattern COOKIE_PATH = Pattern.compile("[\\x20-\\x3a\\x3c-\\x7e]+");
    /** A node id travels in cookies, bus frames and metric tags: printable, no space, separator or quote. */
    private static final Pattern NODE_ID = Pattern.compile("[!#$%&'*+./:<=>?@\\[\\]^_`{|}~0-9A-Za-z-]{1,128}");

    private ClusterSettings() {
    }

    /** Checks the cluster's settings for a process of {@code role}. */
    public static void check(ClusterConfig config, SocketIoRuntimeConfig runtime, ClusterInfo.Role role) {
        positive("restart-delay", config.restartDelay());
        positive("restart-delay-max", config.restartDelayMax());
        if (config.restartDelayMax().compareTo(config.restartDelay()) < 0) {
            throw new ConfigurationException(KEY + "restart-delay-max (" + config.restartDelayMax() + ") must be at least "
                    + KEY + "restart-delay (" + config.restartDelay() + ")", Set.of(KEY + "restart-delay-max"));
        }
        Checks.within(KEY + "respawn-threshold", config.respawnThreshold(), 1, Integer.MAX_VALUE);
        positive("respawn-threshold-time", config.respawnThresholdTime());
        positive("shutdown-timeout", config.shutdownTimeout());
        positive("start-timeout", config.startTimeout());
        positive("heartbeat-interval", config.heartbeatInterval());
        positive("heartbeat-timeout", config.heartbeatTimeout());
        if (config.heartbeatTimeout().compareTo(config.heartbeatInterval()) <= 0) {
            throw new ConfigurationException(KEY + "heartbeat-timeout (" + config.heartbeatTimeout().toMillis()
                    + " ms) must be longer than " + KEY + "heartbeat-interval (" + config.heartbeatInterval().toMillis()
                    + " ms): a peer would be taken for dead between two heartbeats", Set.of(KEY + "heartbeat-timeout"));
        }
        positive("stall-timeout", config.stallTimeout());
        if (config.stallTimeout().compareTo(config.heartbeatTimeout()) < 0) {
            throw new ConfigurationException(KEY + "stall-timeout (" + config.stallTimeout().toMillis()
                    + " ms) must be at least " + KEY + "heartbeat-timeout (" + config.heartbeatTimeout().toMillis()
                    + " ms)", Set.of(KEY + "stall-timeout"));
        }
        positive("request-timeout", config.requestTimeout());
        positive("delayed-connection-timeout", config.delayedConnectionTimeout());
        int max = maxWorkers(config);
        if (max < 1) {
            throw new ConfigurationException(KEY + "max-workers must be at least 1, got " + max,
                    Set.of(KEY + "max-workers"));
        }
        // 0 workers: the launched process serves the clients itself (Roles), as with enabled=false
        int workers = workers(config);
        if (workers > max) {
            throw new ConfigurationException(KEY + "workers is " + workers + ", more than " + KEY + "max-workers (" + max
                    + ")", Set.of(KEY + "workers", KEY + "max-workers"));
        }
        if (config.minReadyWorkers().isPresent()) {
            Checks.within(KEY + "min-ready-workers", config.minReadyWorkers().getAsInt(), 1, max);
        }
        config.nodeId().ifPresent(id -> {
            if (!NODE_ID.matcher(id).matches()) {
                throw new ConfigurationException(KEY + "node-id must be 1 to 128 printable characters without spaces, "
                        + "commas, semicolons, quotes or backslashes, got '" + id + "'", Set.of(KEY + "node-id"));
            }
        });
        if (!TOKEN.matcher(config.sticky().cookieName()).matches()) {
            throw new ConfigurationException(KEY + "sticky.cookie-name must be a cookie name (letters, digits and "
                    + "!#$%&'*+.^_`|~-), got '" + config.sticky().cookieName() + "'", Set.of(KEY + "sticky.cookie-name"));
        }
        String path = config.sticky().cookiePath();
        if (!path.startsWith("/") || !COOKIE_PATH.matcher(path).matches()) {
            throw new ConfigurationException(KEY + "sticky.cookie-path must be a path (starting with /, without "
                    + "control characters or ;), got '" + path + "'", Set.of(KEY + "sticky.cookie-path"));
        }
        if (config.control().enabled() && config.control().token().filter(t -> !t.isBlank()).isEmpty()
                && config.control().rolesAllowed().filter(r -> !r.isEmpty()).isEmpty()) {
            throw new ConfigurationException(KEY + "control.token (or " + KEY + "control.roles-allowed) must be set when "
                    + KEY + "control.enabled=true", Set.of(KEY + "control.token"));
        }
        if (role != ClusterInfo.Role.SINGLE && runtime.drainSpread().isPresent()
                && runtime.drainSpread().get().compareTo(config.shutdownTimeout()) >= 0) {
            throw new ConfigurationException("quarkus.socketio.drain-spread (" + runtime.drainSpread().get() + ") must be shorter "
                    + "than " + KEY + "shutdown-timeout (" + config.shutdownTimeout() + "): a worker still closing its "
                    + "sessions would be killed", Set.of("quarkus.socketio.drain-spread", KEY + "shutdown-timeout"));
        }
        config.workerAotCache().ifPresent(cache -> checkWorkerAotCache(cache, role));
        checkRecovery(runtime, role);
    }

    /**
     * The workers' AOT cache: a file that exists (a worker given a missing one would fail its start again and again),
     * and a primary on a JVM that knows {@code -XX:AOTCache} (Java 25 or newer), which its workers run on.
     */
    static void checkWorkerAotCache(String cache, ClusterInfo.Role role) {
        String key = KEY + "worker-aot-cache";
        if (cache.isBlank() || !Files.isRegularFile(Path.of(cache.trim()))) {
            throw new ConfigurationException(key + " must name an AOT cache file (one a worker recorded with "
                    + "-XX:AOTCacheOutput), got '" + cache + "': no such file", Set.of(key));
        }
        if (role == ClusterInfo.Role.PRIMARY && Runtime.version().feature() < 25) {
            throw new ConfigurationException(key + " needs Java 25 or newer (-XX:AOTCache), and the primary runs on Java "
                    + Runtime.version().feature() + "; its workers run on the same JVM", Set.of(key));
        }
    }

    /** The spread of a worker's drain when {@code drain-spread} is unset, in a packaged application. */
    static final Duration DEFAULT_WORKER_DRAIN_SPREAD = Duration.ofSeconds(5);

    /**
     * How long a worker takes to close its sessions when it drains: the setting, else {@link #DEFAULT_WORKER_DRAIN_SPREAD}
     * in a packaged application (at most half of {@code shutdown-timeout}, which must leave it time to finish) and 0 in
     * dev and test mode. A rolling restart moves all the clients of a worker to one that just started: spread over 5 s
     * instead of one instant, 1,000 clients were back within 1.7 s at p99 instead of 3.2 s
     * ({@code bench/runs/20261129-herd-roll}).
     */
    static Duration workerDrainSpread(SocketIoRuntimeConfig runtime, ClusterConfig config) {
        if (runtime.drainSpread().isPresent()) {
            return runtime.drainSpread().get();
        }
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return Duration.ZERO;
        }
        Duration half = config.shutdownTimeout().dividedBy(2);
        return half.compareTo(DEFAULT_WORKER_DRAIN_SPREAD) < 0 ? half : DEFAULT_WORKER_DRAIN_SPREAD;
    }

    /** The workers a primary starts: the configured number, or one per CPU. */
    static int workers(ClusterConfig config) {
        return config.workers().orElse(Runtime.getRuntime().availableProcessors());
    }

    /** The most workers a primary runs: the configured number, or four per CPU and at least 8. */
    static int maxWorkers(ClusterConfig config) {
        return config.maxWorkers().orElse(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    }

    /** A recovery setting that cannot work fails startup, naming its key. */
    private static void checkRecovery(SocketIoRuntimeConfig runtime, ClusterInfo.Role role) {
        SocketIoRuntimeConfig.ConnectionStateRecovery recovery = runtime.connectionStateRecovery();
        if (!recovery.enabled()) {
            return;
        }
        var provider = Wires.chosen(runtime.bus());
        if (role != ClusterInfo.Role.SINGLE && provider != null && !provider.keepsSessions()) {
            throw new ConfigurationException(
                    "quarkus.socketio.connection-state-recovery.enabled=true in a cluster needs the local bus or "
                            + Wires.keepingSessions() + ": the state of a socket must outlive its worker and be found by "
                            + "whichever worker the client reconnects to",
                    Set.of("quarkus.socketio.connection-state-recovery.enabled", "quarkus.socketio.bus"));
        }
        Checks.positive("quarkus.socketio.connection-state-recovery.max-disconnection-duration",
                recovery.maxDisconnectionDuration());
        if (recovery.maxLogBytes().asLongValue() <= 0) {
            throw new ConfigurationException("quarkus.socketio.connection-state-recovery.max-log-bytes must be a positive "
                    + "size, got " + recovery.maxLogBytes().asLongValue() + " bytes",
                    Set.of("quarkus.socketio.connection-state-recovery.max-log-bytes"));
        }
    }

    private static void positive(String key, Duration value) {
        Checks.positive(KEY + key, value);
    }
}
