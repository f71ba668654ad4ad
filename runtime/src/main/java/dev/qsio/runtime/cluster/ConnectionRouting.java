package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import dev.qsio.runtime.cluster.WorkerProcesses.Incarnation;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineOptions;
import dev.qsio.runtime.handoff.Acceptor;
import dev.qsio.runtime.webtransport.QuicRelay;
import dev.qsio.runtime.webtransport.WebTransportServer;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import io.vertx.core.Vertx;

/**
 * The primary's public port: it holds the application's port(s), and gives each new connection to the worker that
 * serves its session, or to a worker drawn among those that take new connections ({@link Acceptor}), over the
 * workers' hand-off sockets ({@link ConnectionHandOff}).
 */
final class ConnectionRouting {

    private static final Logger LOG = Logger.getLogger(ConnectionRouting.class);
    private static final String HANDOFF_PREFIX = "qsio-handoff-";

    private final WorkerProcesses processes;
    /** Hashed node id, as session ids carry it (see {@link HostSessions}). */
    private final int nodeHash;
    /** The directory of the workers' hand-off sockets (readable by this user only). */
    private final Path handOffDir;
    /** Connections given to the workers. */
    private ConnectionHandOff handOff;
    /** The public listener. */
    private Acceptor acceptor;
    /**
     * The warm-up port, on loopback: a worker that warms up ({@code quarkus.socketio.warm-up}) opens its sessions here,
     * so that they take the path of its clients' connections (this acceptor, the hand-off, the worker's receiving side)
     * to its private warm-up server; null when it could not be opened (the workers then warm up on their own port).
     */
    private Acceptor warmUp;
    /** How long a warm-up connection waits for its worker's hand-off link (the worker has just started). */
    static final long WARM_UP_WAIT_MS = 5_000;
    /** The host's UDP port for WebTransport's QUIC, when the transports list it. */
    private QuicRelay.Front quic;
    /** The key of the stateless reset tokens of the workers' QUIC connections (a new one each time the host starts). */
    private final String quicResetKey = QuicRelay.ResetTokens.newKey();
    /** Where the primary listens, for the log. */
    private String listening = "";

    ConnectionRouting(WorkerProcesses processes, String nodeId) {
        this.processes = processes;
        this.nodeHash = HostSessions.nodeHash(nodeId);
        this.handOffDir = handOffDirectory();
    }

    Path handOffDir() {
        return handOffDir;
    }

    /** The key of the host's QUIC stateless reset tokens, for the workers' environment. */
    String quicResetKey() {
        return quicResetKey;
    }

    /** Stateless resets sent for QUIC connections of workers that are gone. */
    long quicResets() {
        return quic == null ? 0 : quic.resets();
    }

    /** Datagrams of QUIC clients that the primary read and passed to a worker. */
    long quicRelayed() {
        return quic == null ? 0 : quic.relayed();
    }

    /** The host's UDP sockets, and how many a worker holds ({0, 0} without WebTransport). */
    int[] quicSockets() {
        return quic == null ? new int[2] : quic.sockets();
    }

    /**
     * Opens the application's public port(s) here: the workers listen on private loopback ports, and every
     * connection reaches them through the primary, which passes it to the worker of its session.
     */
    void listen(Vertx vertx, SocketIoRuntimeConfig runtime, long startTimeoutMs, int workers) {
        int maxRequestBytes = runtime.maxHttpBufferSize();
        long headerTimeoutMs = runtime.headerTimeout().toMillis();
        Config cfg = ConfigProvider.getConfig();
        String host = cfg.getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        int port = cfg.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        int backlog = cfg.getOptionalValue("quarkus.http.accept-backlog", Integer.class).orElse(-1);
        handOff = new ConnectionHandOff(vertx, handOffDir, 0, maxRequestBytes + 64 * 1024);
        long wait = Math.min(10_000, startTimeoutMs);
        acceptor = new Acceptor(vertx.nettyEventLoopGroup(), handOff, new Routing(), headerTimeoutMs, wait);
        openWarmUpPort(vertx, headerTimeoutMs);
        String insecure = cfg.getOptionalValue("quarkus.http.insecure-requests", String.class).orElse("enabled");
        List<String> addresses = new ArrayList<>();
        String key = "quarkus.http.port=" + port;
        try {
            if (!"disabled".equalsIgnoreCase(insecure)) {
                acceptor.listen(host, port, ConnectionHandOff.PLAIN, backlog);
                addresses.add("http://" + host + ":" + acceptor.port(addresses.size()));
            }
            if (tlsConfigured(cfg)) {
                int sslPort = cfg.getOptionalValue("quarkus.http.ssl-port", Integer.class).orElse(8443);
                key = "quarkus.http.ssl-port=" + sslPort;
                acceptor.listen(host, sslPort, ConnectionHandOff.TLS, backlog);
                addresses.add("https://" + host + ":" + acceptor.port(addresses.size()));
            }
            listening = String.join(" and ", addresses);
            WebTransportServer.Settings udp = EngineOptions.webTransport(runtime);
            if (udp != null) {
                key = "quarkus.socketio.webtransport.port=" + udp.port();
                quic = QuicRelay.Front.start(vertx.nettyEventLoopGroup(), udp.host(), udp.port(), handOffDir,
                        new QuicSteering(), quicResetKey, workers, udp.socketBuffer());
                listening += " and UDP " + udp.host() + ":" + quic.port() + " (WebTransport)";
            }
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            if (quic != null) {
                quic.close();
            }
            acceptor.close();
            // without the cause: Quarkus logs a failed start's root cause only, which would hide the keys to change
            throw new IllegalStateException("The primary cannot listen on the application's port (quarkus.http.host="
                    + host + ", " + key + "): " + e.getMessage());
        }
    }

    /** Opens the warm-up port; without it (a failed bind), the workers warm up on their own port, as in one process. */
    private void openWarmUpPort(Vertx vertx, long headerTimeoutMs) {
        Acceptor a = new Acceptor(vertx.nettyEventLoopGroup(), handOff, Acceptor.warmUpRouter(), headerTimeoutMs,
                WARM_UP_WAIT_MS);
        try {
            a.listen("127.0.0.1", 0, ConnectionHandOff.WARM_UP, -1);
            warmUp = a;
        } catch (RuntimeException e) {
            a.close();
            LOG.warnf("The primary cannot open its warm-up port on 127.0.0.1 (%s): workers that warm up do it on their "
                    + "own port, without the primary's acceptor and hand-off", e.getMessage());
        }
    }

    /** The warm-up port, or -1 when none is open. */
    int warmUpPort() {
        return warmUp == null ? -1 : warmUp.port(0);
    }

    /** Connections of the workers' warm-ups handed to them. */
    long warmUpRouted() {
        return warmUp == null ? 0 : warmUp.routed();
    }

    /**
     * Whether the application serves HTTPS (as Quarkus decides it: a certificate or key store of its own, or a TLS
     * configuration of the registry): the workers then open their TLS listener, and the primary its port.
     */
    static boolean tlsConfigured(Config cfg) {
        for (String key : List.of("quarkus.http.ssl.certificate.files", "quarkus.http.ssl.certificate.key-files",
                "quarkus.http.ssl.certificate.key-store-file", "quarkus.http.tls-configuration-name")) {
            if (cfg.getOptionalValue(key, String.class).filter(v -> !v.isBlank()).isPresent()) {
                return true;
            }
        }
        for (String name : cfg.getPropertyNames()) {
            // the default TLS configuration's key store: quarkus.tls.key-store.{pem,p12,jks,...}.<...>path|cert
            if (name.startsWith("quarkus.tls.key-store.") && (name.endsWith(".path") || name.endsWith(".cert"))
                    && cfg.getOptionalValue(name, String.class).filter(v -> !v.isBlank()).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Which worker takes a connection. */
    private final class Routing implements Acceptor.Router {

        @Override
        public int owner(String sid) {
            int slot = HostSessions.ownerSlot(nodeHash, sid);
            Incarnation inc = slot < 0 ? null : processes.bySlot(slot);
            // a worker that drains still owns its sessions until they are closed
            return inc != null && inc.process.isAlive() && handOff.linked(slot) ? slot : -1;
        }

        /**
         * A worker drawn at random among those that take new connections, as the kernel spread connections over
         * listeners that share a port: no pattern of the clients (a polling client, then a WebSocket one, again and
         * again) maps onto the workers, and a worker that fails every connection it gets (it is ready, yet broken)
         * gets no more than its share of them, as it would under a least-loaded choice. During a rolling restart the
         * workers already replaced are drawn first.
         */
        @Override
        public int any() {
            List<Incarnation> open = new ArrayList<>();
            List<Incarnation> staying = new ArrayList<>();
            for (Incarnation inc : processes.processes()) {
                if (inc.open() && handOff.linked(inc.slot)) {
                    open.add(inc);
                    if (!inc.retiring) {
                        staying.add(inc);
                    }
                }
            }
            List<Incarnation> from = staying.isEmpty() ? open : staying;
            if (from.isEmpty()) {
                return -1;
            }
            return from.get(ThreadLocalRandom.current().nextInt(from.size())).slot;
        }
    }

    /**
     * Which worker a QUIC datagram goes to: the live worker its connection id names; else, for a client's first
     * packets (a long header), one drawn from the id among those that take new connections, the same for every packet
     * of that id; else none (a connection of a worker that is gone: the datagram is dropped).
     */
    private final class QuicSteering implements QuicRelay.Steering {
        @Override
        public int slot(int named, int hash) {
            if (named > 0) {
                Incarnation inc = processes.bySlot(named);
                if (inc != null && inc.process.isAlive()) {
                    return named;
                }
            }
            if (hash < 0) {
                return -1;
            }
            List<Incarnation> open = new ArrayList<>();
            for (Incarnation inc : processes.processes()) {
                if (inc.open() && !inc.retiring) {
                    open.add(inc);
                }
            }
            return open.isEmpty() ? -1 : open.get(hash % open.size()).slot;
        }

        /**
         * The workers that read a socket of the host: those that take new connections, and during a rolling restart
         * the workers already replaced once one of them does, as {@link Routing#any()} draws them.
         */
        @Override
        public List<Integer> holders() {
            List<Integer> open = new ArrayList<>();
            List<Integer> staying = new ArrayList<>();
            for (Incarnation inc : processes.processes()) {
                if (inc.open()) {
                    open.add(inc.slot);
                    if (!inc.retiring) {
                        staying.add(inc.slot);
                    }
                }
            }
            return staying.isEmpty() ? open : staying;
        }
    }

    /** A worker's bus link is up: open its hand-off link; the connections that wait are tried again. */
    void linked(int slot) {
        handOff.connect(slot);
        // the link opens asynchronously: connections that wait are tried again shortly (Acceptor)
        acceptor.retry();
    }

    /** A worker may take connections now: those that wait for one are tried again. */
    void retry() {
        acceptor.retry();
        if (quic != null) {
            quic.reassign();
        }
    }

    /** A worker's process exited. */
    void forget(int slot) {
        handOff.forget(slot);
        if (quic != null) {
            // its WebTransport clients are told now, as its WebSocket clients are by their reset TCP connections
            quic.workerGone(slot);
            quic.reassign();
        }
    }

    /** Connections taken on the public port and given to a worker. */
    long routed() {
        return acceptor == null ? 0 : acceptor.routed();
    }

    /** Connections that found no worker to take them in time (answered 503). */
    long unavailable() {
        return acceptor == null ? 0 : acceptor.unavailable();
    }

    /** The addresses of the application's port this primary holds ("http://0.0.0.0:8080 and https://..."). */
    String listening() {
        return listening;
    }

    /** No new connection is taken: the workers close theirs, and their clients find the port closed. */
    void stopListening() {
        if (acceptor != null) {
            acceptor.close();
        }
        if (warmUp != null) {
            warmUp.close();
        }
        if (quic != null) {
            quic.close();
        }
    }

    void close() {
        if (handOff != null) {
            handOff.close();
        }
        deleteTree(handOffDir);
    }

    /**
     * Makes the directory where workers receive connections from each other ({@code <tmp>/qsio-handoff-<pid>-...},
     * mode 700); removes those left by primaries that are gone (a SIGKILLed primary cannot remove its own).
     */
    private static Path handOffDirectory() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(tmp, HANDOFF_PREFIX + "*")) {
            for (Path dir : old) {
                String[] parts = dir.getFileName().toString().substring(HANDOFF_PREFIX.length()).split("-", 2);
                try {
                    long pid = Long.parseLong(parts[0]);
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                } catch (NumberFormatException e) {
                    continue;
                }
                deleteTree(dir);
            }
        } catch (IOException e) {
            LOG.debugf("cannot look for old hand-off directories: %s", e.getMessage());
        }
        try {
            return Files.createTempDirectory(tmp, HANDOFF_PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("Cannot make a directory under " + tmp + " (java.io.tmpdir) for the sockets "
                    + "on which the primary gives connections to the workers: " + e);
        }
    }

    /**
     * Removes a directory and what it holds, as far as it can: another primary starting at the same moment may be
     * removing the same one (it too found it left by a primary that is gone), and a file it removed first is no error.
     */
    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.debugf("cannot remove %s: %s", dir, e.getMessage());
        }
    }
}
