package dev.qsio.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.annotations.ConfigDocDefault;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Running the application as a primary that supervises worker processes sharing the HTTP port.
 */
@ConfigMapping(prefix = "quarkus.socketio.cluster")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface ClusterConfig {

    /**
     * Whether the packaged application (prod mode) starts as a cluster: the launched process becomes the primary
     * and starts the workers. When unset, the application is a cluster if {@code workers} is set (and not 0). An
     * explicit {@code false} wins over {@code workers}: {@code -Dquarkus.socketio.cluster.enabled=false} starts a
     * packaged cluster as one process, as when a platform scales with replicas of one process each. Dev and test
     * modes always run one process.
     */
    @ConfigDocDefault("false, or true when workers is set")
    Optional<Boolean> enabled();

    /**
     * The number of worker processes; the number of CPUs when clustering is enabled without it. {@code 0} runs no
     * workers: the launched process serves the clients itself, as with {@code enabled=false}.
     */
    OptionalInt workers();

    /**
     * The most workers the primary runs: {@code quarkus.socketio.cluster.workers}, scaling and the {@code SIGTTIN}
     * signal are refused beyond it. Four per CPU, at least 8, when unset.
     */
    OptionalInt maxWorkers();

    /**
     * How many workers must be ready for the primary's readiness check to be UP; all of the configured workers when
     * unset.
     */
    OptionalInt minReadyWorkers();

    /**
     * The node id, shared by the primary and its workers: names this host in the cluster. The host name when unset.
     */
    Optional<String> nodeId();

    /**
     * Whether crashed workers are restarted.
     */
    @WithDefault("true")
    boolean restartWorkers();

    /**
     * The most restarts of one worker over its life; past it the worker is marked failed.
     */
    @WithDefault("10")
    int maxRestarts();

    /**
     * The delay before the first restart of a crashed worker; each further restart within
     * {@code respawn-threshold-time} doubles it (with 10% jitter), up to {@code restart-delay-max}.
     */
    @WithDefault("1S")
    Duration restartDelay();

    /**
     * The longest delay between restarts.
     */
    @WithDefault("30S")
    Duration restartDelayMax();

    /**
     * How many restarts of one worker within {@code respawn-threshold-time} mark it failed (not restarted again).
     */
    @WithDefault("5")
    int respawnThreshold();

    /**
     * The window of {@code respawn-threshold}.
     */
    @WithDefault("60S")
    Duration respawnThresholdTime();

    /**
     * How long a stopping worker may take to close its sessions and finish in-flight work before it is killed.
     */
    @WithDefault("30S")
    Duration shutdownTimeout();

    /**
     * How long a starting worker may take to become ready before it is considered crashed.
     */
    @WithDefault("60S")
    Duration startTimeout();

    /**
     * How often workers report to the primary that they are alive; on the Redis bus, how often each server announces
     * itself to the others (and to itself, to know that Redis answers).
     */
    @WithDefault("1S")
    Duration heartbeatInterval();

    /**
     * How long without a heartbeat before a worker is considered stalled (a long GC pause, a stopped or starved
     * process): it is not ready and takes no new connections, but keeps its sessions and its place on the bus (what is
     * sent to it waits) and is ready again as soon as it speaks. It is killed and restarted only after
     * {@code stall-timeout}. On the Redis bus, also how long a server waits for another's heartbeat before it forgets
     * it, and for its own to come back through Redis before it reconnects (a Redis that answers nothing).
     */
    @WithDefault("5S")
    Duration heartbeatTimeout();

    /**
     * How long without a heartbeat before a stalled worker is killed and restarted (its clients reconnect). The
     * default is what the clients themselves tolerate of a silent server: the ping interval (25 s) plus the ping
     * timeout (20 s) by default; a pause shorter than that costs the clients nothing. Cluster requests
     * ({@code fetchSockets}, {@code serverSideEmit} with acknowledgements) wait for a stalled worker until their own
     * timeout. At least {@code heartbeat-timeout}.
     */
    @WithDefault("45S")
    Duration stallTimeout();

    /**
     * How long cluster requests (fetchSockets, session lookups) wait for the other servers; a server that leaves
     * the cluster is not waited for. ({@code serverSideEmitWithAck} and {@code emitWithAck} use
     * {@code quarkus.socketio.ack-timeout} or their own {@code timeout(...)}.)
     */
    @WithDefault("5S")
    Duration requestTimeout();

    /**
     * Whether a worker that receives, on a kept-alive connection it holds, a request for a session owned by another
     * worker of the host hands that worker the connection itself (its file descriptor, over a Unix domain socket), so
     * that every session's connections live in the process that runs it. When off, or for TLS and HTTP/2 connections,
     * such requests are forwarded over the bus instead. (New connections always reach the session's owner: the
     * primary gives them to it.)
     */
    @WithDefault("true")
    boolean connectionHandOff();

    /**
     * How long a new polling session waits for a WebSocket upgrade on another server before its connection is
     * handed to Socket.IO, so that the server receiving the upgrade can take the session over. Only applies where an
     * upgrade can land on a server that does not own the session: on other hosts (the Redis bus), or on another
     * worker when {@code connection-hand-off} is off.
     */
    @WithDefault("300MS")
    Duration delayedConnectionTimeout();

    /**
     * Extra JVM options for the workers, for example {@code -Xmx512m}; when set, the primary's {@code -D} system
     * properties are still passed on (before these options) but its other JVM options are not.
     */
    Optional<String> workerJvmOptions();

    /**
     * The AOT cache (Java 25 or newer, {@code -XX:AOTCache}) the primary gives its workers, in place of the one it runs
     * with itself: a cache recorded by a worker of a cluster (see the startup guide: one training run of the cluster
     * writes the primary's cache and its workers'). A worker serves connections its primary accepted and handed over,
     * which a cache trained by a single process has not seen; on the benchmark's application the cluster's own caches
     * took the CPU of its warm handshake from 996 to 708 µs ({@code bench/runs/20261202-cluster-aot}). Unset: the
     * workers run with the primary's options, its cache included. The file must exist, and the primary must run on
     * Java 25 or newer.
     */
    Optional<String> workerAotCache();

    /**
     * The sticky-session cookie set during the handshake, for load balancers in front of several hosts.
     */
    Sticky sticky();

    /**
     * The control endpoints on the management interface (rolling restart, scaling, messages to workers).
     */
    Control control();

    interface Sticky {

        /**
         * Whether the handshake sets a cookie naming the node, for sticky load balancers. Off by default: workers
         * and hosts find the owner of a session themselves.
         */
        @WithDefault("false")
        boolean enabled();

        /**
         * The cookie name.
         */
        @WithDefault("qsio_node")
        String cookieName();

        /**
         * The cookie's {@code Path}: the paths the browser sends it to (Node's {@code cookie.path}).
         */
        @WithDefault("/")
        String cookiePath();

        /**
         * Whether the cookie is {@code HttpOnly}, out of reach of the page's scripts (Node's {@code cookie.httpOnly}).
         */
        @WithDefault("true")
        boolean cookieHttpOnly();

        /**
         * The cookie's {@code SameSite}: {@code strict}, {@code lax} or {@code none} (Node's {@code cookie.sameSite}).
         * A page of another site that connects with credentials needs {@code none}, which browsers take only with
         * {@link #cookieSecure()}.
         */
        @WithDefault("lax")
        SameSite cookieSameSite();

        /**
         * Whether the cookie is {@code Secure}: sent over HTTPS only (Node's {@code cookie.secure}).
         */
        @WithDefault("false")
        boolean cookieSecure();

        /** The values of {@code SameSite}. */
        enum SameSite {
            STRICT("Strict"),
            LAX("Lax"),
            NONE("None");

            /** As the attribute writes it. */
            public final String attribute;

            SameSite(String attribute) {
                this.attribute = attribute;
            }
        }
    }

    interface Control {

        /**
         * Whether the mutating control endpoints are served; the read-only worker list always is.
         */
        @WithDefault("false")
        boolean enabled();

        /**
         * The bearer token the control endpoints require ({@code Authorization: Bearer <token>}). Required when
         * they are enabled, unless {@link #rolesAllowed()} is set.
         */
        Optional<String> token();

        /**
         * Roles that may use the control endpoints, as the management interface's own authentication establishes
         * them ({@code quarkus.management.auth.basic=true} with the application's identity providers): a request
         * whose identity has one of them is allowed without the token. Unset: the token only.
         */
        Optional<List<String>> rolesAllowed();
    }
}
