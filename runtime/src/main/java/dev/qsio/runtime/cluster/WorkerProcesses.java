package dev.qsio.runtime.cluster;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.qsio.WorkerInfo;
import dev.qsio.WorkerLifecycleEvent;
import dev.qsio.WorkerLifecycleEvent.Kind;
import dev.qsio.WorkerState;
import dev.qsio.runtime.config.ClusterConfig;
import io.vertx.core.Vertx;

/**
 * The worker processes of a primary and their supervision: starts them, learns when they are ready and when they
 * exit, restarts those that crash ({@link RestartPolicy}), stops them, and adds or removes workers. Each worker id has
 * one current process (an {@link Incarnation}); a process is known on the bus by its slot, which is never reused.
 */
final class WorkerProcesses {

    private static final Logger LOG = Logger.getLogger(WorkerProcesses.class);

    static final String EXIT_ON_OUT_OF_MEMORY = "-XX:+ExitOnOutOfMemoryError";
    /** The exit code of a JVM that {@code -XX:+ExitOnOutOfMemoryError} ended. */
    static final int OUT_OF_MEMORY_EXIT = 3;

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

        boolean readyOnce() {
            return ready.isDone() && !ready.isCompletedExceptionally();
        }

        /** Whether it takes new connections (the hand-off link aside). */
        boolean open() {
            return busUp && !stalled && !stopping && readyOnce() && process.isAlive();
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
            boolean ready = alive && i.readyOnce() && i.busUp && !i.stalled && !i.stopping && state == WorkerState.RUNNING;
            return new WorkerInfo(id, alive ? i.process.pid() : -1, state, ready,
                    policy.restarts(), i == null ? null : i.startedAt);
        }

        /** Whether it counts among the workers the primary runs (for scaling). */
        boolean live() {
            return !removed && state != WorkerState.FAILED && state != WorkerState.STOPPED;
        }
    }

    /** What the other parts of the primary do when a process becomes ready or exits. */
    interface Hooks {
        void ready(Incarnation inc);

        void exited(Incarnation inc, int workerId);
    }

    private final Vertx vertx;
    private final ClusterConfig config;
    private final Consumer<WorkerLifecycleEvent> events;
    private final Hooks hooks;
    private final Map<Integer, ManagedWorker> workers = new ConcurrentSkipListMap<>();
    private final Map<Integer, Incarnation> bySlot = new ConcurrentHashMap<>();
    /** Processes started by a rolling restart that are not yet their worker's current one. */
    private final Map<Incarnation, ManagedWorker> replacements = new ConcurrentHashMap<>();
    /** Processes being stopped while their worker lives on (rolling restart): worker id by pid. */
    private final Map<Long, Integer> draining = new ConcurrentHashMap<>();
    private final AtomicInteger slots = new AtomicInteger();
    private List<String> command;
    private Map<String, String> environment;
    private Map<String, String> forReplacements = Map.of();
    private Map<String, String> forNew = Map.of();
    private volatile boolean shuttingDown;
    private volatile boolean firstFullSetReady;
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

    WorkerProcesses(Vertx vertx, ClusterConfig config, Consumer<WorkerLifecycleEvent> events, Hooks hooks) {
        this.vertx = vertx;
        this.config = config;
        this.events = events;
        this.hooks = hooks;
    }

    /**
     * Starts workers 1 to {@code n}, each process with the primary's command and {@code environment} added,
     * {@code forNew} too in the first process of a worker (those started now, and those a scaling adds), and
     * {@code forReplacements} in one that replaces another in a rolling restart; a process started after its
     * worker's crash gets neither.
     */
    void start(int n, Map<String, String> environment, Map<String, String> forNew, Map<String, String> forReplacements) {
        this.command = workerCommand();
        this.environment = Map.copyOf(environment);
        this.forNew = Map.copyOf(forNew);
        this.forReplacements = Map.copyOf(forReplacements);
        for (int id = 1; id <= n; id++) {
            ManagedWorker w = new ManagedWorker(id);
            workers.put(id, w);
            spawn(w, false);
        }
    }

    // ---- what the other parts read

    Incarnation bySlot(int slot) {
        return bySlot.get(slot);
    }

    Collection<Incarnation> processes() {
        return bySlot.values();
    }

    int count() {
        return workers.size();
    }

    ManagedWorker worker(int id) {
        return workers.get(id);
    }

    Collection<ManagedWorker> all() {
        return workers.values();
    }

    List<WorkerInfo> infos() {
        return workers.values().stream().map(ManagedWorker::info).toList();
    }

    /** The latest figures a worker reported, or null. */
    Figures figuresOf(int workerId) {
        ManagedWorker w = workers.get(workerId);
        Incarnation i = w == null ? null : w.current;
        return i == null ? null : i.figures;
    }

    /** How many times a worker's process ended without being asked to. */
    int crashesOf(int workerId) {
        ManagedWorker w = workers.get(workerId);
        return w == null ? 0 : w.crashes.get();
    }

    /** The old processes that drain during a rolling restart, as worker id by pid: never ready. */
    Map<Long, Integer> draining() {
        return Map.copyOf(draining);
    }

    boolean firstFullSetReady() {
        return firstFullSetReady;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    ManagedWorker workerOf(Incarnation inc) {
        for (ManagedWorker w : workers.values()) {
            if (w.current == inc) {
                return w;
            }
        }
        // a replacement during a rolling restart is not current yet
        return replacements.get(inc);
    }

    // ---- the command of a worker

    private List<String> workerCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        String java = info.command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        List<String> args = new ArrayList<>(info.arguments().map(List::of).orElseGet(() -> List.of(
                System.getProperty("sun.java.command", "").split(" "))));
        return workerCommand(java, args, config.workerJvmOptions(), config.workerAotCache());
    }

    /** The option that names a JVM's AOT cache (Java 25 or newer). */
    static final String AOT_CACHE = "-XX:AOTCache=";

    /**
     * A worker's command, from the primary's {@code java} and {@code args}: its JVM options, or the primary's
     * system properties and {@code jvmOptions} when given, with the AOT cache {@code aotCache} in place of any other
     * when given; then the application's own arguments.
     */
    static List<String> workerCommand(String java, List<String> args, Optional<String> jvmOptions,
            Optional<String> aotCache) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // A worker out of memory exits (code 3) and is started again, rather than going on with threads that died
        // (an acceptor among them); first, so that options of the user's own that say otherwise win.
        cmd.add(EXIT_ON_OUT_OF_MEMORY);
        int app = applicationStart(args);
        List<String> options = new ArrayList<>();
        if (jvmOptions.isPresent()) {
            // the primary's system properties (-D...) are the application's configuration: kept, before the
            // worker options (which may set them again); its other JVM options are replaced
            args.subList(0, app).stream().filter(a -> a.startsWith("-D")).forEach(options::add);
            options.addAll(List.of(jvmOptions.get().trim().split("\\s+")));
        } else {
            options.addAll(args.subList(0, app));
        }
        if (aotCache.isPresent()) {
            // the workers' own cache: one JVM maps one, and the last of several options would win anyway
            options.removeIf(o -> o.startsWith(AOT_CACHE));
            options.add(AOT_CACHE + Path.of(aotCache.get().trim()).toAbsolutePath());
        }
        cmd.addAll(options);
        cmd.addAll(args.subList(app, args.size()));
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

    // ---- starting and supervising

    /** Starts a process for a worker on the spawner thread; completes with it, or null when it could not start. */
    CompletableFuture<Incarnation> spawnLater(ManagedWorker w, boolean replacement) {
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
        env.putAll(environment);
        env.put(Identity.ENV_WORKER, "true");
        env.put(Identity.ENV_WORKER_ID, String.valueOf(w.id));
        env.put(ClusterBus.ENV_SLOT, String.valueOf(slot));
        if (replacement) {
            // its predecessor's clients come to it once it is ready and that one drains, not before
            env.putAll(forReplacements);
        } else if (w.crashes.get() > 0) {
            env.put(ClusterBus.ENV_RESPAWN, "true");
        } else if (w.current == null) {
            env.putAll(forNew);
        }
        Process process;
        try {
            process = pb.start();
        } catch (Exception e) {
            LOG.errorf(e, "Cannot start worker %d", w.id);
            if (!replacement) {
                onCrash(w, null, -1, "could not start: " + e.getMessage(), false);
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
        events.accept(new WorkerLifecycleEvent(Kind.SPAWNED, w.id, process.pid(), 0, Duration.ZERO, null));
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

    /** The process said it is ready. */
    void onReady(Incarnation inc) {
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
        hooks.ready(inc);
        events.accept(new WorkerLifecycleEvent(Kind.READY, w.id, inc.process.pid(), 0, Duration.ZERO, null));
        if (!firstFullSetReady && workers.values().stream().allMatch(x -> x.info().ready())) {
            firstFullSetReady = true;
            LOG.infof("All %d workers ready", workers.size());
        }
    }

    /** The process said it drains (it stops listening and closes its sessions). */
    void onDraining(Incarnation inc) {
        ManagedWorker w = workerOf(inc);
        if (w != null && w.current == inc) {
            w.state = WorkerState.STOPPING;
        }
        inc.stopping = true;
    }

    private void onExit(ManagedWorker w, Incarnation inc, int code) {
        boolean wasReady = inc.readyOnce();
        bySlot.remove(inc.slot);
        hooks.exited(inc, w.id);
        events.accept(new WorkerLifecycleEvent(Kind.EXITED, w.id, inc.process.pid(), code, Duration.ZERO,
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
            events.accept(new WorkerLifecycleEvent(Kind.RESPAWNING, w.id, pid, code, decision.delay(), what));
            vertx.setTimer(Math.max(1, decision.delay().toMillis()), t -> {
                if (!shuttingDown && !w.removed && w.state == WorkerState.RESPAWNING) {
                    spawnLater(w, false);
                }
            });
        } else {
            w.state = WorkerState.FAILED;
            LOG.errorf("Worker %d (pid %d) %s and will not be restarted: %s", w.id, pid, what, decision.reason());
            events.accept(new WorkerLifecycleEvent(Kind.FAILED, w.id, pid, code, Duration.ZERO, decision.reason()));
        }
    }

    /** Stops a process gracefully (SIGTERM: it stops listening and closes its sessions), killing it after the timeout. */
    CompletableFuture<Void> stop(Incarnation inc) {
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

    // ---- scaling and replacing

    /** Starts or stops workers until {@code n} are live; completes when those started are ready and those stopped exited. */
    CompletableFuture<Void> scaleTo(int n) {
        List<ManagedWorker> live = workers.values().stream().filter(ManagedWorker::live).toList();
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
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    /** Starts a new process for the worker, waits until it is ready, then stops the old one. */
    CompletableFuture<Void> replace(ManagedWorker w) {
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

    /** Stops every process gracefully, killing those still there after the shutdown timeout. */
    void stopAll() {
        shuttingDown = true;
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
    }

    /** The shutdown begins: no process starts from now on. */
    void beginShutdown() {
        shuttingDown = true;
    }
}
