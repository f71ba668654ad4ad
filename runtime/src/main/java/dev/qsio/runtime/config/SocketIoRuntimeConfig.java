package dev.qsio.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Socket.IO and Engine.IO settings read at startup. Defaults are those of Node's {@code socket.io} 4.x server.
 */
@ConfigMapping(prefix = "quarkus.socketio")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface SocketIoRuntimeConfig {

    /**
     * How often the server sends a ping packet to each session ({@code pingInterval}).
     */
    @WithDefault("25S")
    Duration pingInterval();

    /**
     * How long the server waits for the pong that answers a ping before closing the session ({@code pingTimeout}).
     */
    @WithDefault("20S")
    Duration pingTimeout();

    /**
     * How long an upgrade from HTTP long-polling to WebSocket may take before the new transport is dropped
     * ({@code upgradeTimeout}).
     */
    @WithDefault("10S")
    Duration upgradeTimeout();

    /**
     * The largest message or polling body a client may send, in bytes ({@code maxHttpBufferSize}). Larger polling
     * bodies get HTTP 413 and larger WebSocket messages close the session; either way the session ends.
     */
    @WithDefault("1000000")
    int maxHttpBufferSize();

    /**
     * The transports clients may use: {@code polling}, {@code websocket}, {@code webtransport} (off unless listed: it
     * needs a certificate, see {@code quarkus.socketio.webtransport}), in any combination.
     */
    @WithDefault("polling,websocket")
    List<String> transports();

    /**
     * Whether polling sessions may upgrade to WebSocket ({@code allowUpgrades}).
     */
    @WithDefault("true")
    boolean allowUpgrades();

    /**
     * Whether clients of the Socket.IO 2.x generation are accepted ({@code allowEIO3}): Engine.IO protocol revision
     * 3 and Socket.IO protocol 4, as {@code socket.io-client} 2.x and {@code io.socket:socket.io-client} 1.x speak
     * them. Off, as in Node: such a client is refused with "Unsupported protocol version".
     */
    @WithDefault("false")
    boolean allowEio3();

    /**
     * How long the {@code AsyncHandshakeFilter} beans may take, together, to decide on one handshake. Past it the
     * handshake is refused with HTTP 503, {@code Retry-After} and the message "Handshake check timed out" (the server
     * could not decide, the client may try again), logged at WARN naming the filter, and counted in
     * {@code socketio_handshakes_filtered_total{reason="timeout"}}.
     */
    @WithDefault("10S")
    Duration handshakeFilterTimeout();

    /** Quarkus Security on sockets. */
    Security security();

    /** Quarkus Security on sockets. */
    interface Security {
        /**
         * The field of a namespace CONNECT's {@code auth} that carries a bearer token (browsers cannot set headers on
         * a WebSocket): when set and the field is there, the token is verified by the application's identity
         * providers ({@code quarkus-smallrye-jwt}, {@code quarkus-oidc}) and the socket gets that identity instead of
         * the handshake's; a token they refuse gets {@code connect_error} "Unauthorized". Unset (the default), the
         * socket has the handshake's identity only.
         */
        Optional<String> authTokenField();
    }

    /**
     * How long a connection may stay without joining any namespace before it is closed ({@code connectTimeout}).
     */
    @WithDefault("45S")
    Duration connectTimeout();

    /**
     * How long {@code emitWithAck} waits for acknowledgements when no {@code timeout(...)} is given.
     */
    @WithDefault("5S")
    Duration ackTimeout();

    /**
     * The Socket.IO packet format, Node's {@code parser} option: {@code default} (JSON text with binary
     * attachments, what every client speaks unless told otherwise) or {@code msgpack}, compatible with
     * {@code socket.io-msgpack-parser} (each packet one MessagePack binary message; clients must use that parser
     * too). Every server of a cluster, and every Node server sharing its Redis, must use the same parser.
     */
    @WithDefault("default")
    Parser parser();

    /** The packet formats of {@link #parser()}. */
    enum Parser {
        DEFAULT,
        MSGPACK
    }

    /**
     * The most binary attachments one packet may announce; a packet announcing more closes its connection.
     */
    @WithDefault("64")
    int maxAttachments();

    /**
     * The most Engine.IO sessions this process (this worker) holds; further handshakes get HTTP 503 with
     * {@code {"code":4,"message":"Server at capacity"}}, so that a load balancer or the client tries elsewhere, and
     * the process logs a WARN at most once a minute. When unset: one session per 8 KB of the JVM's maximum heap (32,768
     * with {@code -Xmx256m}, 786,432 with 6 GB), at least 1,024, so that a storm of sessions cannot fill the heap; set
     * it to what the process is sized for.
     */
    OptionalInt maxConnections();

    /**
     * Limits on new sessions per remote address. A handshake past one gets HTTP 429 with {@code Retry-After} and
     * {@code {"code":4,"message":...}}; requests of open sessions are never limited. The address is the peer's, or
     * the client's when the HTTP server takes it from a trusted proxy's {@code Forwarded} or {@code X-Forwarded-For}
     * header ({@code quarkus.http.proxy.proxy-address-forwarding} and {@code quarkus.http.proxy.trusted-proxies}). In
     * a cluster each process counts the handshakes it receives.
     */
    Limits limits();

    interface Limits {
        /**
         * How many handshakes per second one address may make, on average: a token bucket refilled at this rate and
         * holding {@code handshake-burst-per-address}. {@code 0} turns the limit off.
         */
        @WithDefault("50")
        double handshakesPerSecondPerAddress();

        /** How many handshakes one address may make at once, the bucket's size; at least 1. */
        @WithDefault("500")
        int handshakeBurstPerAddress();

        /** How many sessions one address may hold open on this process. {@code 0} turns the limit off. */
        @WithDefault("1000")
        int sessionsPerAddress();

        /**
         * How many addresses the limits keep track of. Past it, addresses without an open session are forgotten; if
         * addresses with open sessions alone fill the table, handshakes from other addresses go unlimited until some
         * close (rather than refusing every new user).
         */
        @WithDefault("100000")
        int maxAddresses();

        /**
         * How many handshakes per second this process accepts from all addresses together, on average: a token bucket
         * refilled at this rate and holding {@code handshake-burst}, checked after the limits per address. A storm
         * from many addresses, each within its own limits, then costs the process at most this many handshakes a
         * second, and the rest get HTTP 429 (reason {@code server-rate}); open sessions go on undisturbed, but new
         * users are refused with the storm while it lasts, and the reconnections after a restart wait their turn.
         * {@code 0}, the default, turns the limit off.
         */
        @WithDefault("0")
        double handshakesPerSecond();

        /** How many handshakes this process accepts at once above that rate, the bucket's size; at least 1. */
        @WithDefault("1000")
        int handshakeBurst();

        /**
         * How many connections one authenticated identity (the name of its Quarkus Security principal) may hold open
         * at once, over every worker and host of the fleet: counted where the bus keeps them (this process, the
         * primary of a host, or the wire's Redis or PostgreSQL). A connection past it gets {@code connect_error}
         * "Too many sessions for this user" with {@code {"limit": n}} as its data; the connections it already has go
         * on. Anonymous sockets are not counted. Off by default.
         */
        OptionalInt sessionsPerIdentity();

        /**
         * How long a connection's place under {@code sessions-per-identity} outlives the server that holds it without
         * being renewed: the time after a server's crash until its users' places are free again. Renewed every third
         * of it; at least 3 seconds.
         */
        @WithDefault("30S")
        Duration identityLease();
    }

    /**
     * Limits on what one connection's client sends: events and bytes per second over all its namespaces, and events
     * per second of single events by name, each a token bucket. Off by default. Past a limit the event is dropped
     * (counted in {@code socketio_events_limited_total}; one that asked for an acknowledgement is answered with
     * {@code {"error":"rate limited"}}) or the connection is closed, as {@code exceeded} says.
     */
    Inbound inbound();

    interface Inbound {
        /** Events a client may send per second on average, over all its namespaces. {@code 0} turns the limit off. */
        @WithDefault("0")
        double eventsPerSecond();

        /** How many events a client may send at once above that rate (the bucket's size); at least 1. */
        @WithDefault("100")
        int eventBurst();

        /**
         * Bytes a client may send per second on average (its messages, attachments included). {@code 0} turns the
         * limit off. An event arriving while the client is over it is refused, whatever its own size.
         */
        @WithDefault("0")
        long bytesPerSecond();

        /** How many bytes a client may send at once above that rate; at least 1. */
        @WithDefault("1000000")
        long bytesBurst();

        /**
         * Limits of single events, by event name, on top of the others: for example
         * {@code quarkus.socketio.inbound.event."chat".per-second=2}.
         */
        @ConfigDocMapKey("event")
        Map<String, EventRate> event();

        interface EventRate {
            /** How many of this event a client may send per second on average; more than 0. */
            double perSecond();

            /** How many of this event a client may send at once; at least 1. */
            @WithDefault("10")
            int burst();
        }

        /**
         * What happens to an event past a limit: {@code drop} (counted, and answered with an error if it asked for an
         * acknowledgement), or {@code disconnect} (the connection is closed, reason {@code rate limited}).
         */
        @WithDefault("drop")
        Exceeded exceeded();

        /**
         * With {@code exceeded=disconnect}: how long the remote address of a client disconnected for exceeding a limit
         * may not open a new session on this process. Its handshakes meanwhile get HTTP 429 with {@code Retry-After}
         * and the message "This address was rate limited" (counted in
         * {@code socketio_handshakes_limited_total{reason="cooldown"}}), so that a flooder does not come back at once
         * with a full bucket. Its other open sessions go on. The address is the one the limits per address use (the
         * forwarded one behind trusted proxies), and users behind one address share its cooldown. {@code 0} turns it
         * off.
         */
        @WithDefault("0S")
        Duration cooldown();

        enum Exceeded {
            DROP,
            DISCONNECT
        }
    }

    /**
     * The most namespaces one connection may join; a CONNECT beyond it gets CONNECT_ERROR "Too many namespaces" and
     * the connection stays.
     */
    @WithDefault("100")
    int maxNamespacesPerConnection();

    /**
     * Whether a child namespace of a dynamic declaration ({@code @SocketIo(pattern = ...)} or a matcher) is forgotten
     * when its last socket leaves, or when a CONNECT that made it is refused and no socket is in it (Node's
     * {@code cleanupEmptyChildNamespaces}). On by default, unlike Node, so that a
     * flood of names a pattern accepts does not pile up namespaces; off, a child namespace stays once created, with
     * its {@code use()} middleware and adapter.
     */
    @WithDefault("true")
    boolean cleanupEmptyChildNamespaces();

    /**
     * The most the server holds for one session that does not read what it is sent, in bytes: packets waiting for
     * a polling GET, plus what the WebSocket has not yet taken. Past it the session is closed (reason
     * {@code send buffer full}, counted in {@code socketio_buffer_overflows_total}) and its memory freed. A packet is
     * always accepted when nothing is held, so a single message larger than this still goes out. Volatile packets are
     * dropped long before, as soon as the WebSocket's write queue is full.
     */
    @WithDefault("10000000")
    long maxBufferedBytes();

    /**
     * What the server does about clients that read slower than they are sent to, before one reaches
     * {@code max-buffered-bytes}: a check every {@code check-interval} over every session of the process.
     */
    SlowConsumer slowConsumer();

    interface SlowConsumer {
        /**
         * How long a client may hold more than {@code lag-bytes} it has not read before its session is closed (reason
         * {@code slow consumer}, counted in {@code socketio_slow_consumers_total{reason="lag"}}). {@code 0} turns the
         * rule off.
         */
        @WithDefault("60S")
        Duration maxLag();

        /**
         * What a client must hold unread to count as behind for {@code max-lag}, in bytes: more than a polling client
         * that keeps up holds between its requests.
         */
        @WithDefault("1000000")
        long lagBytes();

        /**
         * The most this process holds for all its clients together that they have not read, in bytes. Past it, the
         * sessions holding the most are closed first (reason {@code slow consumer}, counted in
         * {@code socketio_slow_consumers_total{reason="memory"}}) until the rest is under it. By default a quarter of
         * the JVM's maximum heap.
         */
        Optional<Long> maxTotalBytes();

        /** How often the rules above are checked. */
        @WithDefault("1S")
        Duration checkInterval();

        /**
         * What a client that does not keep up misses of the events of a namespace. {@code disconnect}: nothing; the
         * rules above close its session when it stays behind. {@code drop-oldest}: the events the server emits and
         * broadcasts there (not acknowledgements, not events with binary attachments) are held for it up to
         * {@code lag-bytes}, past which the oldest are dropped; once it caught up, it gets the event
         * {@code dropped-event} with the count it missed, and only what it holds besides counts for {@code max-lag}.
         * {@code max-total-bytes} and {@code max-buffered-bytes} bound it still.
         */
        @WithDefault("disconnect")
        Policy policy();

        /**
         * The settings of one namespace, by its name (quoted: {@code quarkus.socketio.slow-consumer.namespace."/prices".policy},
         * {@code namespace."/prices".max-lag}), over those above. A child of a dynamic namespace is named by its own name.
         */
        @ConfigDocMapKey("namespace")
        Map<String, NamespacePolicy> namespace();

        /**
         * The event a client of a {@code drop-oldest} namespace gets once it caught up after missing events, with their
         * count as its argument.
         */
        @WithDefault("qsio:dropped")
        String droppedEvent();

        /** A slow-consumer policy. */
        enum Policy {
            /** Close the session of a client that stays behind (by {@code max-lag}, {@code max-total-bytes}). */
            DISCONNECT,
            /** Drop the oldest events held for a client past {@code lag-bytes}, and tell it how many it missed. */
            DROP_OLDEST
        }

        /**
         * The slow-consumer settings of one namespace, each over the setting of the same name above. A client connected
         * to several namespaces is held to the strictest of theirs: the shortest {@code max-lag} that is not 0 and the
         * smallest {@code lag-bytes}.
         */
        interface NamespacePolicy {
            /** See {@code quarkus.socketio.slow-consumer.policy}. */
            Optional<Policy> policy();

            /** See {@code quarkus.socketio.slow-consumer.max-lag}. */
            Optional<Duration> maxLag();

            /** See {@code quarkus.socketio.slow-consumer.lag-bytes}. */
            Optional<Long> lagBytes();
        }
    }

    /**
     * How long a polling POST may take to send its body; a slower one (a slow-loris) gets HTTP 408 and its session
     * ends.
     */
    @WithDefault("10S")
    Duration pollingBodyTimeout();

    /**
     * How long a client may take to send a request head on the application's HTTP server: from the opening of its
     * connection, and on a connection kept alive from the first byte of each next request. A slower connection (a
     * slow-loris sending its headers a byte at a time) is closed. Applies to every request of the HTTP server, as
     * Node's {@code server.headersTimeout} does; idle kept-alive connections, bodies, long polls and WebSockets are
     * not affected. {@code 0} turns it off.
     */
    @WithDefault("15S")
    Duration headerTimeout();

    /**
     * How the servers of a cluster reach each other. {@code local}: the workers of one host, through their primary
     * (loopback). {@code redis}: every server (each worker, or a single process) connects to the Redis server of
     * {@code quarkus.socketio.redis.url}, so that the cluster spans hosts; the primary, if any, still supervises its
     * own workers. {@code postgres}: the same over the application's reactive PostgreSQL datasource
     * ({@code quarkus-reactive-pg-client}, see {@code quarkus.socketio.postgres}), in the format of Node's
     * {@code @socket.io/postgres-adapter}.
     */
    @WithDefault("local")
    BusKind bus();

    /**
     * The values of {@code quarkus.socketio.bus}: {@code local}, and the name of each wire between hosts (the
     * runtime's {@code Wires} registers them).
     */
    enum BusKind {
        LOCAL,
        REDIS,
        POSTGRES
    }

    /**
     * The WebTransport transport (HTTP/3 over QUIC, on a UDP port), used when {@code quarkus.socketio.transports} lists
     * {@code webtransport}.
     */
    WebTransport webtransport();

    interface WebTransport {
        /**
         * The UDP port of the HTTP/3 listener. Clients reach it at the host and port they use for the other
         * transports, so it is the port the application's clients connect to: by default the HTTPS port
         * ({@code quarkus.http.ssl-port}).
         */
        OptionalInt port();

        /** The address the listener binds; by default {@code quarkus.http.host}. */
        Optional<String> host();

        /**
         * The certificate (PEM) the listener presents: QUIC has no plain-text mode. By default the application's,
         * {@code quarkus.http.ssl.certificate.files}. A browser that pins it with {@code serverCertificateHashes}
         * wants an ECDSA certificate valid for 14 days at most.
         */
        Optional<String> certificateFile();

        /** The private key (PEM, PKCS #8) of the certificate; by default {@code quarkus.http.ssl.certificate.key-files}. */
        Optional<String> keyFile();

        /** The most streams a client may open on one connection (the first carries the session). */
        @WithDefault("4")
        int maxStreams();

        /** How long a connection may stay silent before QUIC closes it; above the ping interval and timeout. */
        @WithDefault("60S")
        Duration idleTimeout();

        /**
         * The receive and send buffers of the listener's UDP socket(s) ({@code SO_RCVBUF}, {@code SO_SNDBUF}). Every
         * client's packets, its acknowledgements included, queue in one socket's receive buffer until the event loop
         * reads them, and a broadcast to thousands of sessions brings thousands of acknowledgements back at once: a
         * datagram that finds the buffer full is dropped, and QUIC recovers it by sending again after a timeout. With
         * the kernel's usual 208 KB, 10,000 sessions opened at once lost 7,965 to 12,406 datagrams during their
         * handshakes alone, and the warm handshakes of one process went from 980 to 1,692 a second with 4 MB. Linux
         * caps what is asked at {@code net.core.rmem_max} and {@code net.core.wmem_max} (208 KB by default on most
         * distributions); the listener logs a warning when it got less than this, naming the setting to raise.
         */
        @WithDefault("4M")
        MemorySize socketBuffer();
    }

    /**
     * The WebSocket permessage-deflate extension (RFC 7692), Node's {@code perMessageDeflate} option.
     */
    PerMessageDeflate perMessageDeflate();

    interface PerMessageDeflate {
        /**
         * Whether the server accepts a client's offer of permessage-deflate on the WebSocket transport. Off by
         * default, as in Node: compression costs CPU and memory on every connection (about 300 KB of zlib state
         * while a connection compresses) for a gain only on large, repetitive messages.
         */
        @WithDefault("false")
        boolean enabled();

        /** The smallest message, in bytes, that is compressed; smaller ones are sent as they are. */
        @WithDefault("1024")
        int threshold();
    }

    /**
     * Compression of HTTP long-polling responses (gzip or deflate, as the request's {@code Accept-Encoding} allows),
     * Node's {@code httpCompression} option.
     */
    HttpCompression httpCompression();

    interface HttpCompression {
        /** Whether polling responses are compressed. On by default, as in Node. */
        @WithDefault("true")
        boolean enabled();

        /** The smallest response body, in bytes, that is compressed. */
        @WithDefault("1024")
        int threshold();
    }

    /**
     * How long a stopping server takes to close its sessions (a worker drained by a rolling restart or a scale-down, a
     * process or pod stopped with SIGTERM): they are closed in random order, evenly over this time, so that their
     * clients reconnect to the other servers at a bounded rate instead of all in the same instant. {@code 0} closes
     * them all at once. In a cluster it must be shorter than {@code quarkus.socketio.cluster.shutdown-timeout}; with
     * connection state recovery, each client recovers its session and what it missed on the server it reconnects to.
     * Unset: 5 s in a worker of a cluster of a packaged application (at most half its
     * {@code cluster.shutdown-timeout}): through a rolling restart of 1,000 clients the time without a connection went
     * from 1.8 s to 1.2 s at the median and from 3.2 s to 1.7 s at p99, each worker's drain taking 5 s longer; 0 in a
     * single process (whose stop's length is its platform's grace period to share) and in dev and test mode.
     */
    Optional<Duration> drainSpread();

    /**
     * Connection state recovery, as Node's {@code connectionStateRecovery} option.
     */
    ConnectionStateRecovery connectionStateRecovery();

    interface ConnectionStateRecovery {

        /**
         * Whether a client that lost its connection and reconnects within {@code max-disconnection-duration} gets its
         * socket id, rooms and data back, and the broadcasts it missed. In one process the state is kept in memory;
         * in a cluster of one host on the local bus the primary keeps it for its workers, so that the client may come
         * back to any worker of the host (the primary's own death ends the host's sessions); with
         * {@code quarkus.socketio.bus=redis} or {@code postgres} it is kept there, so that the client may come back to
         * any worker of any host.
         */
        @WithDefault("false")
        boolean enabled();

        /**
         * How long the state of a disconnected socket and the broadcast log are kept.
         */
        @WithDefault("2M")
        Duration maxDisconnectionDuration();

        /**
         * The most the broadcast log kept in memory may hold (one process, or the primary of a cluster on the local
         * bus, for its host), all namespaces together: each broadcast counts as its packet's bytes and about 300 more
         * for what it takes on the heap beside them. Past it the oldest broadcasts are trimmed before their window
         * has passed (counted in {@code socketio_recovery_log_trimmed_total}): a client whose offset was trimmed
         * reconnects as a new socket. The {@code redis} and {@code postgres} buses trim their own logs by the window;
         * on the Redis streams adapter each server also keeps, under this cap, the recent broadcasts its reader of the
         * stream read, which its restorations read instead of Redis.
         */
        @WithDefault("32M")
        MemorySize maxLogBytes();

        /**
         * Whether a recovered socket skips the middleware (it passed it when it first connected).
         */
        @WithDefault("true")
        boolean skipMiddlewares();
    }

    /**
     * Cross-origin settings for HTTP long-polling and the origin check of WebSocket handshakes.
     */
    Cors cors();

    interface Cors {

        /**
         * Origins allowed to connect, for example {@code https://app.example.com}; {@code *} allows any. When unset,
         * no CORS header is sent and the WebSocket origin is not checked, as Node's server does without
         * {@code cors}. When set to a list, handshakes of either transport from another origin are refused with
         * HTTP 403.
         */
        Optional<List<String>> origins();

        /**
         * Whether cross-origin requests may carry credentials ({@code Access-Control-Allow-Credentials}).
         */
        @WithDefault("false")
        boolean credentials();

        /**
         * How long browsers may cache a preflight answer ({@code Access-Control-Max-Age}).
         */
        Optional<Duration> maxAge();

        /**
         * The methods a preflight answer allows ({@code Access-Control-Allow-Methods}), Node's {@code cors.methods}.
         * The default is Node's.
         */
        @WithDefault("GET,HEAD,PUT,PATCH,POST,DELETE")
        List<String> methods();

        /**
         * The request headers a preflight answer allows ({@code Access-Control-Allow-Headers}), Node's
         * {@code cors.allowedHeaders}. When unset, the headers the preflight asks for are allowed, as Node's server
         * does.
         */
        Optional<List<String>> allowedHeaders();

        /**
         * The response headers a page may read ({@code Access-Control-Expose-Headers}), Node's
         * {@code cors.exposedHeaders}: on the answers to cross-origin requests from an allowed origin and to their
         * preflights. When unset, none beyond those browsers always expose.
         */
        Optional<List<String>> exposedHeaders();

        /**
         * The status of a preflight answer, Node's {@code cors.optionsSuccessStatus}: 204 (No Content), or 200 for
         * old browsers and devices that take no 204 for a success. From 200 to 299.
         */
        @WithDefault("204")
        int preflightStatus();
    }

    /**
     * The warm-up of the connection path: before a process listens (a single process, or a worker before it tells
     * the primary it is ready), it opens sessions on a private copy of its engine, on a loopback port of its own that
     * it closes afterwards (a worker's sessions come to it through its primary's warm-up port, so that the primary's
     * acceptor and hand-off are warmed too), so that the JIT compiler has compiled the connection path before the first client comes
     * rather than while a herd of them waits. Nothing of the application sees these sessions: no handler, filter,
     * limit, figure or metric of its engine, no session store.
     */
    WarmUp warmUp();

    interface WarmUp {

        /**
         * How many sessions the warm-up opens, in turn over the transports the application allows (WebSocket,
         * polling, polling then upgrade), each with a Socket.IO CONNECT and an acknowledged event; {@code 0} turns
         * the warm-up off. Unset: 4000 in a single process of a packaged application (on the benchmark, its first
         * 10,000 connections went from 0.75 to 0.96 of the speed of the next 10,000, for 3.2 s more of startup); 4000
         * too in a worker that replaces another in a rolling restart, which takes all that one's clients at once (their
         * time without a connection went from 2.9 to 2.0 s at the median with 1,000 clients); in the workers a cluster
         * starts with (and those a scaling adds), 4000 shared among them, at least 500 each (2,000 each in two workers
         * made their first ramp 1.68x as fast, 0.83 of their warm ramp, and the cluster's start 11 s longer on two
         * CPUs); none in a worker started after a crash, whose clients went to the others meanwhile, and none in dev
         * and test mode. Given, it applies to a single process and to every worker, which then warms up before it
         * reports ready.
         */
        OptionalInt connections();

        /**
         * How many times the warm-up opens its {@code connections} sessions, waiting for the JIT compiler after each
         * pass. One pass leaves much of the connection path in the quick compiler's code: while the optimizing
         * compiler's queue is long (as it is during a start), HotSpot compiles what gets hot with fewer counters and
         * raises the thresholds at which it queues more, so a method climbs a level a pass. On the benchmark (one
         * process, Temurin 25 with its AOT cache, two CPUs, five interleaved rounds) 3 passes of 4,000 raised the first
         * ramp of 10,000 connections from 6,225 to 7,675 handshakes a second (the rounds' ranges apart) for 4.3 s more
         * of startup (6.0 to 10.3 s); the next ramp and its CPU per handshake moved within the spread. From 1 to 20.
         */
        @WithDefault("1")
        int passes();

        /**
         * The most time the warm-up takes, its sessions and then its wait for the JIT compiler to compile the methods
         * they made hot (which it does after they end: about 570 methods were still waiting when a process stopped
         * its warm-up on the benchmark): past it the process listens with what it has compiled so far.
         */
        @WithDefault("20S")
        Duration timeout();

        /**
         * How many sessions go through connection state recovery's session store in the primary and in each worker
         * of a cluster on one host, in the background after it starts (a claim, a logged broadcast, a disconnection
         * and a restore each, through the codec of the messages between the workers and their primary and a scratch
         * copy of the primary's store; the real store and the bus are not touched). Nothing else runs that path
         * before the first worker dies, and then hundreds of its clients restore at once. Only with recovery on and
         * no wire between hosts, and not in a worker started after a crash (it would take CPU from the others while
         * they take its predecessor's clients); {@code 0} turns it off.
         * Unset: 2000 in a packaged application (about half a second of one CPU in each process), none in dev and
         * test mode.
         */
        OptionalInt recoverySessions();
    }

    /**
     * How the JVM's heap gives memory back, set at startup in every process (a single process, the primary, each
     * worker): many idle connections hold about 3.7 KB of live heap each, but G1 by default keeps the heap it grew to
     * while they arrived (it gives back only above 70% free after a collection), so a process showed twice that as
     * resident memory. Applied through the JVM's manageable flags {@code MaxHeapFreeRatio}, {@code MinHeapFreeRatio}
     * and, with G1, {@code G1PeriodicGCInterval}; a flag given on the command line ({@code -XX:...}) is left as given.
     */
    Heap heap();

    interface Heap {

        /**
         * Whether the settings below are applied. {@code false} leaves the JVM's own sizing.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * The most heap, in percent, left free after a collection before the JVM gives the rest back to the system
         * ({@code MaxHeapFreeRatio}; the JVM's default is 70).
         */
        @WithDefault("20")
        int maxFreePercent();

        /**
         * The least heap, in percent, left free after a collection: below it the heap grows
         * ({@code MinHeapFreeRatio}; the JVM's default is 40). At most {@code max-free-percent}.
         */
        @WithDefault("10")
        int minFreePercent();

        /**
         * With G1: how long a process may go without a collection before G1 starts one on its own, so that a process
         * whose connections went idle gives its heap back without waiting for an allocation
         * ({@code G1PeriodicGCInterval}). {@code 0} turns it off.
         */
        @WithDefault("60S")
        Duration periodicCollection();
    }
}
