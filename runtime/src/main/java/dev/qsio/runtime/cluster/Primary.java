package dev.qsio.runtime.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.Cluster;
import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.WorkerLifecycleEvent;
import dev.qsio.WorkerState;
import dev.qsio.WorkerLifecycleEvent.Kind;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.bus.BusRelay;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.wire.WireProvider;
import dev.qsio.runtime.handoff.Acceptor;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The primary of a cluster: holds the application's public port and gives each new connection to the worker that
 * serves it ({@link Acceptor}), starts the workers, relays the local bus between them, restarts the ones that crash,
 * and rolls, scales and stops them on request. It runs no handlers of the application.
 */
@Singleton
public class Primary implements Cluster {

    private static final Logger LOG = Logger.getLogger(Primary.class);

    /** One process of a worker; a worker has a new one after each restart. */
    static final class Incarnation {
        final int slot;
        final Process process;
        final Instant startedAt = Instant.now();
        final long startNanos = System.nanoTime();
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        volatile boolean stopping;
        volatile boolean busUp;
        /** Silent on the bus past the heartbeat timeout: not ready, no new connections, until it speaks again. */
        volatile boolean stalled;
        /**
         * To be replaced by the rolling restart under way: takes new sessions only while no replaced worker is ready,
         * so that a client moves once, and no session is opened on it shortly before it drains.
         */
        volatile boolean retiring;
        volatile Figures figures;

        Incarnation(int slot, Process process) {
            this.slot = slot;
            this.process = process;
        }
    }

    /** A worker id and its history. */
    final class ManagedWorker {
        final int id;
        final RestartPolicy policy;
        volatile Incarnation current;
        volatile WorkerState state = WorkerState.STARTING;
        volatile boolean removed;
        final AtomicInteger crashes = new AtomicInteger();

        ManagedWorker(int id) {
            this.id = id;
            this.policy = new RestartPolicy(config.restartWorkers(), config.maxRestarts(), config.restartDelay(),
                    config.restartDelayMax(), config.respawnThreshold(), config.respawnThresholdTime(), Math::random);
        }

        WorkerInfo info() {
            Incarnation i = current;
            // a process that has exited is not ready, also in the moment before its exit has been handled
            boolean alive = i != null && i.process.isAlive();
            boolean ready = alive && i.ready.isDone() && !i.ready.isCompletedExceptionally() && i.busUp && !i.stalled && !i.stopping
                    && state == WorkerState.RUNNING;
            return new WorkerInfo(id, alive ? i.process.pid() : -1, state, ready,
                    policy.restarts(), i == null ? null : i.startedAt);
        }
    }

    @Inject
    Vertx vertx;

    @Inject
    ClusterConfig config;

    @Inject
    ClusterInfo identity;

    @Inject
    Event<WorkerLifecycleEvent> events;

    @Inject
    ObjectMapper mapper;

    @Inject
    SocketIoRuntimeConfig runtime;

    private final Map<Integer, ManagedWorker> workers = new ConcurrentSkipListMap<>();
    private final Map<Integer, Incarnation> bySlot = new ConcurrentHashMap<>();
    /** Processes started by a rolling restart that are not yet their worker's current one. */
    private final Map<Incarnation, ManagedWorker> replacements = new ConcurrentHashMap<>();
    private final AtomicInteger slots = new AtomicInteger();
    private BusRelay relay;
    /** The leases of identities of this host's workers, when they have no wire between hosts. */
    private final ControlIdentityLeases.Keeper leases = new ControlIdentityLeases.Keeper();
    /**
     * Connection state recovery's sessions and broadcast log of this host's workers, when recovery is on and they have
     * no wire between hosts; null otherwise.
     */
    private ControlSessionStore.Keeper recovery;
    /** The directory of the workers' hand-off sockets (readable by this user only). */
    private Path handOffDir;
    /** Connections given to the workers. */
    private ConnectionHandOff handOff;
    /** The public listener. */
    private Acceptor acceptor;
    /** Where the primary listens, for the log. */
    private String listening = "";
    /** Hashed node id, as session ids carry it (see {@link HostSessions}). */
    private int nodeHash;
    private int busPort;
    private String secret;
    private List<String> command;
    private volatile boolean started;
    private volatile boolean shuttingDown;
    private volatile boolean firstFullSetReady;
    private CompletableFuture<Void> rolling = CompletableFuture.completedFuture(null);
    /** The rolling restart asked for during the one under way, started when it ends; null when none is asked. */
    private CompletableFuture<Void> followUp;
    /**
     * Starts worker processes, one at a time, off the event loop: a process start (fork and exec of a JVM) takes
     * milliseconds to hundreds of them on a loaded host, during which the event loop would not supervise, relay the
     * bus or answer probes.
     */
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qsio-worker-spawner");
        t.setDaemon(true);
        return t;
    });

    /** Starts the bus relay and the workers. */
    public synchronized void start() {
        if (started) {
            return;
        }
        if (!vertx.isNativeTransportEnabled()) {
            throw new IllegalStateException("A cluster passes connections from the primary to the workers as file "
                    + "descriptors, which needs Netty's native epoll transport: add the dependency "
                    + "io.netty:netty-transport-native-epoll with classifier linux-x86_64 (on Linux) to the application. "
                    + "Cause: "
                    + vertx.unavailableNativeTransportCause());
        }
        started = true;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        if (runtime.connectionStateRecovery().enabled() && Wires.chosen(runtime.bus()) == null) {
            recovery = new ControlSessionStore.Keeper(vertx,
                    runtime.connectionStateRecovery().maxDisconnectionDuration().toMillis(),
                    runtime.connectionStateRecovery().maxLogBytes().asLongValue());
        }
        relay = new BusRelay(vertx, secret, config.heartbeatTimeout(), config.stallTimeout(), new RelayEvents());
        try {
            busPort = relay.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the cluster bus on a loopback port", e);
        }
        handOffDir = handOffDirectory();
        nodeHash = HostSessions.nodeHash(identity.nodeId());
        listen();
        command = workerCommand();
        int n = ClusterSettings.workers(config);
        LOG.infof("Primary (pid %d) of node %s listening on %s, starting %d workers; cluster bus on 127.0.0.1:%d",
                ProcessHandle.current().pid(), identity.nodeId(), listening, n, busPort);
        for (int id = 1; id <= n; id++) {
            ManagedWorker w = new ManagedWorker(id);
            workers.put(id, w);
            spawn(w);
        }
        Signals.install(this);
    }

    /**
     * Opens the application's public port(s) here: the workers listen on private loopback ports, and every
     * connection reaches them through the primary, which passes it to the worker of its session.
     */
    private void listen() {
        Config cfg = ConfigProvider.getConfig();
        String host = cfg.getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        int port = cfg.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        int backlog = cfg.getOptionalValue("quarkus.http.accept-backlog", Integer.class).orElse(-1);
        handOff = new ConnectionHandOff(vertx, handOffDir, 0, runtime.maxHttpBufferSize() + 64 * 1024);
        long wait = Math.min(10_000, config.startTimeout().toMillis());
        acceptor = new Acceptor(vertx.nettyEventLoopGroup(), handOff, new Routing(), runtime.headerTimeout().toMillis(),
                wait);
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
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            acceptor.close();
            // without the cause: Quarkus logs a failed start's root cause only, which would hide the keys to change
            throw new IllegalStateException("The primary cannot listen on the application's port (quarkus.http.host="
                    + host + ", " + key + "): " + e.getMessage());
        }
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
            Incarnation inc = slot < 0 ? null : bySlot.get(slot);
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
            List<Incarnation> open = new ArrayList<>(workers.size());
            List<Incarnation> staying = new ArrayList<>(workers.size());
            for (Incarnation inc : bySlot.values()) {
                if (inc.busUp && !inc.stalled && !inc.stopping && inc.ready.isDone() && !inc.ready.isCompletedExceptionally()
                        && inc.process.isAlive() && handOff.linked(inc.slot)) {
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

    /** Connections taken on the public port and given to a worker. */
    public long connectionsRouted() {
        return acceptor == null ? 0 : acceptor.routed();
    }

    /** Connections that found no worker to take them in time (answered 503). */
    public long connectionsUnavailable() {
        return acceptor == null ? 0 : acceptor.unavailable();
    }

    public boolean isStarted() {
        return started;
    }

    /** Whether this process is a primary that started its workers. */
    public boolean isRunning() {
        return started;
    }

    /** Whether every worker of the configured set was ready at least once (the startup probe). */
    public boolean firstFullSetReady() {
        return firstFullSetReady;
    }

    // ---- processes

    private static final String HANDOFF_PREFIX = "qsio-handoff-";

    /**
     * Makes the directory where workers receive connections from each other ({@code <tmp>/qsio-handoff-<pid>-...},
     * mode 700); removes those left by primaries that are gone (a SIGKILLed primary cannot remove its own).
     */
    private Path handOffDirectory() {
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

    static final String EXIT_ON_OUT_OF_MEMORY = "-XX:+ExitOnOutOfMemoryError";
    /** The exit code of a JVM that {@code -XX:+ExitOnOutOfMemoryError} ended. */
    static final int OUT_OF_MEMORY_EXIT = 3;

    private List<String> workerCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        String java = info.command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        List<String> args = new ArrayList<>(info.arguments().map(List::of).orElseGet(() -> List.of(
                System.getProperty("sun.java.command", "").split(" "))));
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // A worker out of memory exits (code 3) and is started again, rather than going on with threads that died
        // (an acceptor among them); first, so that options of the user's own that say otherwise win.
        cmd.add(EXIT_ON_OUT_OF_MEMORY);
        if (config.workerJvmOptions().isPresent()) {
            int app = applicationStart(args);
            // the primary's system properties (-D...) are the application's configuration: kept, before the
            // worker options (which may set them again); its other JVM options are replaced
            args.subList(0, app).stream().filter(a -> a.startsWith("-D")).forEach(cmd::add);
            cmd.addAll(List.of(config.workerJvmOptions().get().trim().split("\\s+")));
            cmd.addAll(args.subList(app, args.size()));
        } else {
            cmd.addAll(args);
        }
        return List.copyOf(cmd);
    }

    /** Where the application's own arguments start: at {@code -jar} or the main class, after the JVM options. */
    static int applicationStart(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-jar")) {
                return i;
            }
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || a.equals("-p")
                    || a.equals("--module-path")) {
                i++;
                continue;
            }
            if (!a.startsWith("-")) {
                return i;
            }
        }
        return args.size();
    }

    private Incarnation spawn(ManagedWorker w) {
        return spawn(w, false);
    }

    /** Starts a process for a worker on the spawner thread; completes with it, or null when it could not start. */
    private CompletableFuture<Incarnation> spawnLater(ManagedWorker w, boolean replacement) {
        try {
            return CompletableFuture.supplyAsync(() -> spawn(w, replacement), spawner);
        } catch (RejectedExecutionException e) {
            // shutting down
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Starts a process for a worker; a replacement (rolling restart) becomes current only once it is ready. */
    private Incarnation spawn(ManagedWorker w, boolean replacement) {
        if (shuttingDown) {
            return null;
        }
        int slot = slots.incrementAndGet();
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = pb.environment();
        env.put(Identity.ENV_WORKER, "true");
        env.put(Identity.ENV_WORKER_ID, String.valueOf(w.id));
        env.put(Identity.ENV_NODE_ID, identity.nodeId());
        env.put(ClusterBus.ENV_BUS_PORT, String.valueOf(busPort));
        env.put(ClusterBus.ENV_BUS_SECRET, secret);
        env.put(ClusterBus.ENV_SLOT, String.valueOf(slot));
        env.put(Worker.ENV_PRIMARY_PID, String.valueOf(ProcessHandle.current().pid()));
        env.put(ClusterBus.ENV_HANDOFF_DIR, handOffDir.toString());
        Process process;
        try {
            process = pb.start();
        } catch (Exception e) {
            LOG.errorf(e, "Cannot start worker %d", w.id);
            if (!replacement) {
                onCrash(w, null, -1, "could not start: " + e.getMessage());
            }
            return null;
        }
        if (shuttingDown) {
            // the primary began to stop while this process started: it would not be among those it stops
            process.destroy();
            return null;
        }
        Incarnation inc = new Incarnation(slot, process);
        bySlot.put(slot, inc);
        if (replacement) {
            replacements.put(inc, w);
        } else {
            w.current = inc;
            w.state = WorkerState.STARTING;
        }
        LOG.infof("Worker %d started (pid %d)", w.id, process.pid());
        fire(new WorkerLifecycleEvent(Kind.SPAWNED, w.id, process.pid(), 0, Duration.ZERO, null));
        long startTimer = vertx.setTimer(config.startTimeout().toMillis(), t -> {
            if (!inc.ready.isDone() && process.isAlive()) {
                LOG.errorf("Worker %d (pid %d) was not ready within %d s; killing it", w.id, process.pid(),
                        config.startTimeout().toSeconds());
                inc.ready.completeExceptionally(new IllegalStateException("start timeout"));
                process.destroyForcibly();
            }
        });
        process.onExit().thenAccept(p -> vertx.runOnContext(v -> {
            vertx.cancelTimer(startTimer);
            onExit(w, inc, p.exitValue());
        }));
        return inc;
    }

    private void onReady(Incarnation inc) {
        ManagedWorker w = workerOf(inc);
        if (w == null || inc.ready.isDone()) {
            return;
        }
        if (w.current == inc || w.state != WorkerState.RUNNING) {
            w.current = inc;
            w.state = WorkerState.RUNNING;
        }
        long ms = (System.nanoTime() - inc.startNanos) / 1_000_000;
        LOG.infof("Worker %d ready (pid %d) in %d ms", w.id, inc.process.pid(), ms);
        inc.ready.complete(null);
        acceptor.retry();
        fire(new WorkerLifecycleEvent(Kind.READY, w.id, inc.process.pid(), 0, Duration.ZERO, null));
        if (!firstFullSetReady && workers.values().stream().allMatch(x -> x.info().ready())) {
            firstFullSetReady = true;
            LOG.infof("All %d workers ready", workers.size());
        }
    }

    private ManagedWorker workerOf(Incarnation inc) {
        for (ManagedWorker w : workers.values()) {
            if (w.current == inc) {
                return w;
            }
        }
        // a replacement during a rolling restart is not current yet
        return replacements.get(inc);
    }

    private void onExit(ManagedWorker w, Incarnation inc, int code) {
        boolean wasReady = inc.ready.isDone() && !inc.ready.isCompletedExceptionally();
        bySlot.remove(inc.slot);
        relay.disconnect(inc.slot);
        handOff.forget(inc.slot);
        if (recovery != null) {
            int orphaned = recovery.orphan(inc.slot);
            if (orphaned > 0) {
                LOG.debugf("Worker %d (pid %d) exited: its %d connected sessions may be recovered on the other workers "
                        + "from now on", w.id, inc.process.pid(), orphaned);
            }
        }
        int freed = leases.forget(inc.slot);
        if (freed > 0) {
            LOG.debugf("Worker %d (pid %d) exited: its %d identity leases are free", w.id, inc.process.pid(), freed);
        }
        fire(new WorkerLifecycleEvent(Kind.EXITED, w.id, inc.process.pid(), code, Duration.ZERO,
                inc.stopping ? "stopped" : "crashed"));
        if (!inc.ready.isDone()) {
            inc.ready.completeExceptionally(new IllegalStateException("worker " + w.id + " exited with code " + code));
        }
        if (replacements.remove(inc) != null && w.current != inc) {
            LOG.warnf("Replacement of worker %d (pid %d) exited with code %d", w.id, inc.process.pid(), code);
            return;
        }
        if (w.current != inc) {
            LOG.infof("Worker %d (pid %d) exited with code %d after being replaced", w.id, inc.process.pid(), code);
            return;
        }
        if (inc.stopping || shuttingDown || w.removed) {
            LOG.infof("Worker %d (pid %d) stopped (exit code %d)", w.id, inc.process.pid(), code);
            w.state = WorkerState.STOPPED;
            if (w.removed) {
                workers.remove(w.id, w);
            }
            return;
        }
        boolean outOfMemory = code == OUT_OF_MEMORY_EXIT;
        onCrash(w, inc, code, "exited with code " + code + (outOfMemory ? " (out of memory)" : ""),
                outOfMemory && wasReady);
    }

    private void onCrash(ManagedWorker w, Incarnation inc, int code, String what) {
        onCrash(w, inc, code, what, false);
    }

    private void onCrash(ManagedWorker w, Incarnation inc, int code, String what, boolean outOfMemoryWhileServing) {
        w.crashes.incrementAndGet();
        RestartPolicy.Decision decision = w.policy.onCrash(System.nanoTime(), outOfMemoryWhileServing);
        long pid = inc == null ? -1 : inc.process.pid();
        if (decision.restart()) {
            w.state = WorkerState.RESPAWNING;
            if (outOfMemoryWhileServing) {
                // not counted toward max-restarts: see RestartPolicy
                LOG.warnf("Worker %d (pid %d) %s while serving; restarting it in %d ms (restart %d; a worker that "
                        + "runs out of memory after it was ready is always restarted, with backoff)", w.id, pid, what,
                        decision.delay().toMillis(), w.policy.restarts());
            } else {
                LOG.warnf("Worker %d (pid %d) %s; restarting it in %d ms (restart %d of at most %d)", w.id, pid, what,
                        decision.delay().toMillis(), w.policy.restarts(), config.maxRestarts());
            }
            fire(new WorkerLifecycleEvent(Kind.RESPAWNING, w.id, pid, code, decision.delay(), what));
            vertx.setTimer(Math.max(1, decision.delay().toMillis()), t -> {
                if (!shuttingDown && !w.removed && w.state == WorkerState.RESPAWNING) {
                    spawnLater(w, false);
                }
            });
        } else {
            w.state = WorkerState.FAILED;
            LOG.errorf("Worker %d (pid %d) %s and will not be restarted: %s", w.id, pid, what, decision.reason());
            fire(new WorkerLifecycleEvent(Kind.FAILED, w.id, pid, code, Duration.ZERO, decision.reason()));
        }
    }

    /** Processes being stopped while their worker lives on (rolling restart): worker id by pid. */
    private final Map<Long, Integer> draining = new ConcurrentHashMap<>();

    /** The old processes that drain during a rolling restart, as worker id by pid: never ready. */
    public Map<Long, Integer> draining() {
        return Map.copyOf(draining);
    }

    /** The addresses of the application's port this primary holds ("http://0.0.0.0:8080 and https://..."). */
    String listening() {
        return listening;
    }

    /** Stops a process gracefully (SIGTERM: it stops listening and closes its sessions), killing it after the timeout. */
    private CompletableFuture<Void> stop(Incarnation inc) {
        inc.stopping = true;
        if (!inc.process.isAlive()) {
            return CompletableFuture.completedFuture(null);
        }
        inc.process.destroy();
        long timer = vertx.setTimer(config.shutdownTimeout().toMillis(), t -> {
            if (inc.process.isAlive()) {
                LOG.warnf("Process %d did not stop within %d s; killing it", inc.process.pid(),
                        config.shutdownTimeout().toSeconds());
                inc.process.destroyForcibly();
            }
        });
        return inc.process.onExit().thenAccept(p -> vertx.cancelTimer(timer));
    }

    // ---- Cluster API

    /** The store of connection state recovery this primary keeps for its workers, or null. */
    public InMemorySessionStore recoveryStore() {
        return recovery == null ? null : recovery.store();
    }

    /** How many times a worker's process ended without being asked to. */
    public int crashesOf(int workerId) {
        ManagedWorker w = workers.get(workerId);
        return w == null ? 0 : w.crashes.get();
    }

    /** The configured number of workers the cluster started with (the readiness minimum by default). */
    public int configuredWorkers() {
        return config.workers().orElse(Runtime.getRuntime().availableProcessors());
    }

    /** Whether the primary supervises (started and not shutting down): its liveness. */
    public boolean supervising() {
        return started && !shuttingDown;
    }

    /** The name of the wire between hosts whose figures the workers report, or null. */
    private String wireName() {
        WireProvider wire = Wires.chosen(runtime.bus());
        return wire == null ? null : wire.name();
    }

    /** The latest figures a worker reported, or null. */
    public Figures figuresOf(int workerId) {
        ManagedWorker w = workers.get(workerId);
        Incarnation i = w == null ? null : w.current;
        return i == null ? null : i.figures;
    }

    @Override
    public List<WorkerInfo> workers() {
        return workers.values().stream().map(ManagedWorker::info).toList();
    }

    private void requirePrimary() {
        if (!started) {
            throw new IllegalStateException("Cluster operations are available in the primary of a cluster; this process is "
                    + identity.role().name().toLowerCase(Locale.ROOT));
        }
    }

    /** The most workers this primary runs (quarkus.socketio.cluster.max-workers). */
    public int maxWorkers() {
        return ClusterSettings.maxWorkers(config);
    }

    @Override
    public synchronized Uni<Void> scaleTo(int n) {
        requirePrimary();
        if (n < 0) {
            throw new IllegalArgumentException("cannot scale to " + n + " workers");
        }
        if (n > maxWorkers()) {
            throw new IllegalArgumentException("cannot scale to " + n + " workers: at most " + maxWorkers()
                    + " (quarkus.socketio.cluster.max-workers)");
        }
        String beyondHost = HostCapacity.refusal(workers(), n);
        if (beyondHost != null) {
            throw new IllegalArgumentException(beyondHost);
        }
        List<ManagedWorker> live = workers.values().stream()
                .filter(w -> !w.removed && w.state != WorkerState.FAILED && w.state != WorkerState.STOPPED).toList();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        if (n > live.size()) {
            int missing = n - live.size();
            for (int id = 1; missing > 0; id++) {
                ManagedWorker existing = workers.get(id);
                if (existing == null || existing.state == WorkerState.FAILED || existing.state == WorkerState.STOPPED) {
                    ManagedWorker w = new ManagedWorker(id);
                    workers.put(id, w);
                    waits.add(spawnLater(w, false).thenCompose(inc -> inc == null
                            ? CompletableFuture.failedFuture(new IllegalStateException("worker " + w.id
                                    + " could not start"))
                            : inc.ready));
                    missing--;
                }
            }
            LOG.infof("Scaling up to %d workers", n);
        } else if (n < live.size()) {
            List<ManagedWorker> byIdDesc = new ArrayList<>(live);
            byIdDesc.sort((a, b) -> Integer.compare(b.id, a.id));
            for (ManagedWorker w : byIdDesc.subList(0, live.size() - n)) {
                w.removed = true;
                w.state = WorkerState.STOPPING;
                Incarnation inc = w.current;
                if (inc != null) {
                    waits.add(stop(inc).thenRun(() -> workers.remove(w.id, w)));
                } else {
                    workers.remove(w.id, w);
                }
            }
            LOG.infof("Scaling down to %d workers", n);
        }
        firstFullSetReady = firstFullSetReady || n == 0;
        return Uni.createFrom().completionStage(CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)));
    }

    @Override
    public synchronized Uni<Void> rollingRestart() {
        requirePrimary();
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
            return Uni.createFrom().completionStage(followUp);
        }
        return Uni.createFrom().completionStage(restartStartedBefore(System.nanoTime()));
    }

    /** Replaces, one at a time, every worker whose process was started before {@code nanos} ({@link System#nanoTime}). */
    private synchronized CompletableFuture<Void> restartStartedBefore(long nanos) {
        // a worker still starting runs what was there before the request too: it is replaced once ready (one waiting
        // to be started again after a crash is not: the process it starts is a new one)
        List<ManagedWorker> targets = workers.values().stream().filter(w -> w.current != null
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
                boolean same = w.current == asked && asked.ready.isDone() && !asked.ready.isCompletedExceptionally();
                return same ? replace(w) : CompletableFuture.<Void> completedFuture(null);
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

    /** Starts a new process for the worker, waits until it is ready, then stops the old one. */
    private CompletableFuture<Void> replace(ManagedWorker w) {
        Incarnation old = w.current;
        if (shuttingDown || w.removed || old == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        spawnLater(w, true).thenAccept(fresh -> {
            if (fresh == null) {
                done.completeExceptionally(new IllegalStateException("could not start a replacement for worker " + w.id));
                return;
            }
            fresh.ready.orTimeout(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
                if (e != null) {
                    replacements.remove(fresh);
                    stop(fresh);
                    done.completeExceptionally(new IllegalStateException("the replacement of worker " + w.id
                            + " did not become ready; the old process keeps serving", e));
                    return;
                }
                replacements.remove(fresh);
                w.current = fresh;
                w.state = WorkerState.RUNNING;
                LOG.infof("Worker %d replaced: pid %d ready, draining pid %d", w.id, fresh.process.pid(), old.process.pid());
                draining.put(old.process.pid(), w.id);
                stop(old).whenComplete((x, y) -> {
                    draining.remove(old.process.pid());
                    done.complete(null);
                });
            });
        });
        return done;
    }

    @Override
    public void send(int workerId, Object message) {
        requirePrimary();
        ManagedWorker w = workers.get(workerId);
        if (w == null || w.current == null) {
            throw new IllegalArgumentException("no worker " + workerId);
        }
        relay.control(w.current.slot, messagePayload(message));
    }

    @Override
    public void broadcast(Object message) {
        requirePrimary();
        Buffer payload = messagePayload(message);
        for (ManagedWorker w : workers.values()) {
            Incarnation i = w.current;
            if (i != null) {
                relay.control(i.slot, payload);
            }
        }
    }

    private Buffer messagePayload(Object message) {
        ObjectNode op = Control.op(Control.MESSAGE);
        op.set("data", mapper.valueToTree(message));
        return Control.encode(op);
    }

    /** Stops every worker gracefully; called on the primary's shutdown. */
    public void shutdown() {
        if (!started || shuttingDown) {
            return;
        }
        shuttingDown = true;
        // no new connection is taken: the workers close theirs, and their clients find the port closed
        acceptor.close();
        LOG.infof("Stopping %d workers", workers.size());
        fire(new WorkerLifecycleEvent(Kind.SHUTDOWN, -1, ProcessHandle.current().pid(), 0, Duration.ZERO, null));
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (ManagedWorker w : workers.values()) {
            w.state = WorkerState.STOPPING;
            Incarnation i = w.current;
            if (i != null) {
                stops.add(stop(i));
            }
        }
        replacements.keySet().forEach(i -> stops.add(stop(i)));
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                    .get(config.shutdownTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("Some workers did not stop in time; killing them");
            workers.values().forEach(w -> {
                Incarnation i = w.current;
                if (i != null) {
                    i.process.destroyForcibly();
                }
            });
        }
        spawner.shutdownNow();
        relay.stop();
        handOff.close();
        deleteTree(handOffDir);
        LOG.info("All workers stopped");
    }

    private void fire(WorkerLifecycleEvent event) {
        try {
            events.fire(event);
        } catch (RuntimeException e) {
            LOG.errorf(e, "An observer of %s failed", event);
        }
    }

    /** The relay's reports, on the event loop. */
    private final class RelayEvents implements BusRelay.Events {

        @Override
        public void onJoined(int slot, int workerId, long pid) {
            Incarnation inc = bySlot.get(slot);
            if (inc != null) {
                inc.busUp = true;
                handOff.connect(slot);
                // the link opens asynchronously: connections that wait are tried again shortly (Acceptor)
                acceptor.retry();
            }
        }

        @Override
        public void onLeft(int slot, int workerId) {
            Incarnation inc = bySlot.get(slot);
            if (inc != null) {
                inc.busUp = false;
            }
        }

        @Override
        public void onStalled(int slot, int workerId, long silentMs) {
            Incarnation inc = bySlot.get(slot);
            if (inc != null && !inc.stopping) {
                inc.stalled = true;
                LOG.warnf("Worker %d (pid %d) sent no heartbeat for %d ms: stalled, it takes no new connections and "
                        + "keeps its sessions; killed if still silent after %d s (quarkus.socketio.cluster.stall-timeout)",
                        workerId, inc.process.pid(), silentMs, config.stallTimeout().toSeconds());
                fire(new WorkerLifecycleEvent(Kind.STALLED, workerId, inc.process.pid(), 0, Duration.ZERO,
                        "no heartbeat for " + silentMs + " ms"));
            }
        }

        @Override
        public void onResumed(int slot, int workerId, long silentMs) {
            Incarnation inc = bySlot.get(slot);
            if (inc != null && inc.stalled) {
                inc.stalled = false;
                LOG.infof("Worker %d (pid %d) resumed after %d ms of silence", workerId, inc.process.pid(), silentMs);
                fire(new WorkerLifecycleEvent(Kind.RESUMED, workerId, inc.process.pid(), 0, Duration.ZERO, null));
                acceptor.retry();
            }
        }

        @Override
        public void onUnresponsive(int slot, int workerId) {
            Incarnation inc = bySlot.get(slot);
            if (inc != null) {
                inc.busUp = false;
                if (!inc.stopping) {
                    LOG.errorf("Worker %d (pid %d) stayed silent on the bus for %d s (quarkus.socketio.cluster.stall-timeout); "
                            + "killing it", workerId, inc.process.pid(), config.stallTimeout().toSeconds());
                    inc.process.destroyForcibly();
                }
            }
        }

        @Override
        public void onControl(int slot, int workerId, Buffer payload) {
            Incarnation inc = bySlot.get(slot);
            if (inc == null) {
                return;
            }
            JsonNode message = Control.decode(payload);
            String op = message.path("op").asText();
            switch (op) {
                case Control.READY -> onReady(inc);
                case Control.STATS -> inc.figures = Figures.fromJson(message.get("stats"), wireName());
                case Control.DRAINING -> {
                    ManagedWorker w = workerOf(inc);
                    if (w != null && w.current == inc) {
                        w.state = WorkerState.STOPPING;
                    }
                    inc.stopping = true;
                }
                case Control.LEASE, Control.UNLEASE, Control.RENEW -> {
                    Buffer answer = leases.handle(slot, message);
                    if (answer != null) {
                        relay.control(slot, answer);
                    }
                }
                case Control.LOG, Control.CLAIM, Control.SAVE, Control.DISCONNECTED, Control.FORGET, Control.RECOVER,
                        Control.SINCE -> {
                    Buffer answer = recovery == null ? null : recovery.handle(slot, message);
                    if (answer != null) {
                        relay.control(slot, answer);
                    }
                }
                default -> LOG.debugf("unknown control op '%s' from worker %d", op, workerId);
            }
        }
    }
}
