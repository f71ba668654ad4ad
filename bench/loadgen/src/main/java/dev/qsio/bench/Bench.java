package dev.qsio.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.bench.Results.TargetResult;

/**
 * The benchmark run: starts each target in turn, drives it through the scenarios with one {@link Generator},
 * stops it (every process it started, also on failure or Ctrl-C), and writes the report.
 * <p>
 * Usage: {@code Bench --root <bench dir> [--smoke] [--out <dir>] [--only name,name]}, or {@code Bench --report <dir>}
 * to write a run's report again from its results.json. With {@code --only} and the {@code --out} of an earlier run,
 * the targets named are measured again and replace their results in that run's report. With
 * {@code --connections-held N[,N...] [--hold 10m]}, only the hold scenario ({@link Hold}) runs, on a fresh start of
 * each target for each size. Exit code 0 when every target started and every scenario produced results and every
 * report file exists; no speed is asserted.
 */
public final class Bench {

    private static volatile Target running;
    /** Only the connections scenario, with a JFR recording of each JVM target's warm ramp (to study handshakes). */
    private static boolean connectionsOnly;
    /** A comparison's clients are WebTransport sessions ({@code --webtransport}), not WebSockets. */
    private static boolean compareWebTransport;
    /** Unmeasured ramps between the cold and the measured warm one ({@code --warm-ramps}). */
    private static int warmRamps;
    /** Only the connections and the two fan-outs (no profile, acknowledgements or cross-worker timings). */
    private static boolean fanoutOnly;
    /** The targets of the hold scenario when {@code --only} names none. */
    static final List<String> HOLD_TARGETS = List.of("qsio", "qsio-cluster", "node", "node-cluster", "node-uws",
            "node-uws-cluster", "bun", "netty-socketio", "netty");
    /**
     * The targets measured only when {@code --only} names them: the cost of tracing (docs' tracing page), and this
     * project without its AOT cache or without its heap settings ({@code quarkus.socketio.heap.enabled=false}).
     */
    static final Set<String> ON_REQUEST = Set.of("qsio-otel-off", "qsio-traced", "qsio-jit", "qsio-cluster-jit",
            "qsio-jvm-heap", "qsio-cluster-jvm-heap");
    /** The targets whose fan-out is profiled: the single process, and with OpenTelemetry disabled and on. */
    static final Set<String> PROFILED = Set.of("qsio", "qsio-otel-off", "qsio-traced");
    /** Where {@code qsio-traced} exports its spans: {@link OtlpSink}, in this process. */
    static final int OTLP_PORT = freePorts(1)[0];

    public static void main(String[] args) throws Exception {
        Path root = Path.of("bench");
        Path out = null;
        boolean smoke = false;
        Set<String> only = null;
        List<Integer> heldSizes = null;
        Double holdSeconds = null;
        // --compare name=jar,name=jar: the same application built at other commits (bench/compare), measured in turn
        Map<String, String> compare = new LinkedHashMap<>();
        int rounds = 1;
        String cluster = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--smoke" -> smoke = true;
                case "--only" -> only = Set.of(args[++i].split(","));
                case "--connections-only" -> connectionsOnly = true;
                case "--warm-ramps" -> warmRamps = Integer.parseInt(args[++i]);
                case "--connections-held" -> heldSizes = Stream.of(args[++i].split(",")).map(String::trim)
                        .map(v -> Integer.parseInt(v.replace("_", ""))).toList();
                case "--hold" -> holdSeconds = seconds(args[++i]);
                case "--fanout-only" -> fanoutOnly = true;
                case "--compare" -> {
                    for (String pair : args[++i].split(",")) {
                        int eq = pair.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--compare takes name=jar,name=jar, got " + pair);
                        }
                        compare.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--workers" -> cluster = args[++i];
                case "--webtransport" -> compareWebTransport = true;
                case "--report" -> {
                    // writes the report again from a run's results.json (after a change to the report)
                    Path dir = Path.of(args[++i]);
                    new Report(read(dir), dir).write();
                    System.out.println("report written again in " + dir);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        root = root.toAbsolutePath().normalize();
        Settings s = smoke ? Settings.smoke() : Settings.full();
        if (heldSizes != null) {
            refuseBeyondOpenFiles(heldSizes, s);
        }
        if (holdSeconds == null) {
            holdSeconds = s.holdSeconds();
        }
        if (out == null) {
            out = root.resolve("results").resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + (smoke ? "-smoke" : heldSizes != null ? "-held" : ""));
        }
        Files.createDirectories(out.resolve("logs"));

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Target t = running;
            if (t != null) {
                System.err.println("stopping " + t.name);
                t.stop(3_000);
            }
        }));
        long budgetMinutes = smoke ? 15 : 30;
        if (!compare.isEmpty()) {
            budgetMinutes = 10 + 5L * rounds * compare.size();
        }
        if (rounds > 1 && compare.isEmpty()) {
            // a target's fan-outs and connections take about 2 minutes; at most a dozen targets
            budgetMinutes = 10 + 3L * rounds * (only != null ? only.size() : 12);
        }
        if (heldSizes != null) {
            // each size on each target: the hold, the ramp (a few thousand handshakes a second at the least), the
            // probes and the start and stop of the target
            int targetCount = only != null ? only.size() : HOLD_TARGETS.size();
            for (int n : heldSizes) {
                budgetMinutes += targetCount * (long) Math.ceil((holdSeconds + n / 1_000.0 + 300) / 60);
            }
        }
        long budget = budgetMinutes;
        Thread watchdog = new Thread(() -> {
            try {
                // the watchdog: the whole run gets a time budget, after which it is stopped
                Thread.sleep(TimeUnit.MINUTES.toMillis(budget));
                System.err.println("the run took more than " + budget + " minutes: giving up");
                System.exit(3);
            } catch (InterruptedException e) {
                // finished in time
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        List<Target> targets = targets(root, 0);
        if (!compare.isEmpty()) {
            targets = compareTargets(compare, rounds, cluster == null ? 1 : Integer.parseInt(cluster), root,
                    compareWebTransport);
            only = targets.stream().map(t -> t.name).collect(java.util.stream.Collectors.toSet());
        }
        Set<String> finalOnly = only;
        Set<String> wanted = finalOnly != null ? finalOnly : heldSizes != null ? Set.copyOf(HOLD_TARGETS) : null;
        if (wanted != null) {
            targets = targets.stream().filter(t -> wanted.contains(t.name)).toList();
        } else {
            targets = targets.stream().filter(t -> !ON_REQUEST.contains(t.name)).toList();
        }
        String noUws = uwsMissing(root);
        if (noUws != null && targets.stream().anyMatch(t -> t.name.startsWith("node-uws"))) {
            // its fallback on `ws` would measure `ws` under uWebSockets.js's name: the targets are left out, and said so
            System.out.println("bench: the uWebSockets.js targets are left out: " + noUws);
            targets = targets.stream().filter(t -> !t.name.startsWith("node-uws")).toList();
        }
        if (rounds > 1 && compare.isEmpty()) {
            // each target measured again in turns (A B C A B C ...), so that a drift of the machine's speed during the
            // run falls on every target alike; bench/compare-table.py gives each figure's median and range
            List<Target> interleaved = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                for (Target t : targets) {
                    interleaved.add(t.round(round));
                }
            }
            targets = interleaved;
        }
        if (targets.stream().anyMatch(t -> t.name.equals("qsio-traced"))) {
            OtlpSink.start(OTLP_PORT);
        }

        Results results = new Results();
        Path previous = out.resolve("results.json");
        boolean merge = (only != null || heldSizes != null) && Files.isRegularFile(previous);
        if (merge) {
            // measuring some targets again (say, one disturbed by other work) into an earlier run's report
            results = read(out);
        }
        results.started = results.started != null ? results.started : ZonedDateTime.now().toString();
        results.mode = s.mode();
        machine(results);
        versions(results, root);
        results.settings.putAll(new ObjectMapper().convertValue(s, Map.class));
        if (heldSizes != null) {
            results.settings.put("holdSeconds", holdSeconds);
        }
        System.out.println("bench " + s.mode() + " run: " + targets.size() + " targets, results in " + out);

        boolean ok = true;
        try (Generator gen = new Generator(s.generatorLoops(), 4, 10_000)) {
            warmUp(gen, root, s, out, heldSizes != null);
            if (heldSizes != null) {
                ok = holdRun(root, targets, heldSizes, holdSeconds, gen, s, out, results);
                targets = List.of();
            }
            for (Target t : targets) {
                TargetResult tr = new TargetResult();
                boolean measured = runTarget(t, tr, gen, s, out, results);
                if (!measured) {
                    // a target that was not fully up (a worker slow to start or gone, an impossible figure) is
                    // started again once and measured afresh; its first log is kept beside the second
                    Thread.sleep(s.pauseMillis());
                    Path firstLog = out.resolve("logs").resolve(t.name + "-first.log");
                    if (Files.exists(out.resolve("logs").resolve(t.name + ".log"))) {
                        Files.move(out.resolve("logs").resolve(t.name + ".log"), firstLog,
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    System.out.println("  starting " + t.name + " again (first attempt: " + tr.error + "; its log: "
                            + firstLog + ")");
                    String first = tr.error;
                    tr = new TargetResult();
                    tr.firstAttemptError = first;
                    measured = runTarget(t, tr, gen, s, out, results);
                }
                ok &= measured;
                tr.othersCpuShare = othersShare(tr);
                int at = indexOf(results, t.name);
                if (at >= 0) {
                    results.targets.set(at, tr);
                } else {
                    results.targets.add(tr);
                }
                // a fixed pause between targets, so that one target's shutdown does not overlap the next one's start
                Thread.sleep(s.pauseMillis());
            }
        }
        results.finished = ZonedDateTime.now().toString();
        new Report(results, out).write();
        for (String f : new Report(results, out).files()) {
            if (!Files.isRegularFile(out.resolve(f)) || Files.size(out.resolve(f)) == 0) {
                System.out.println("missing report file " + f);
                ok = false;
            }
        }
        System.out.println(Files.readString(out.resolve("results.md")));
        System.out.println("results: " + out);
        watchdog.interrupt();
        System.exit(ok ? 0 : 1);
    }

    private static boolean runTarget(Target t, TargetResult tr, Generator gen, Settings s, Path out, Results results) {
        tr.name = t.name;
        tr.label = t.label;
        tr.workers = t.workers;
        tr.command = t.command();
        tr.loadBefore = loadAverage();
        System.out.println("== " + t.label + "  (load " + tr.loadBefore + ")");
        List<Conn> conns = new ArrayList<>();
        List<Conn> others = new ArrayList<>();
        long closes0 = gen.unexpectedCloses.sum();
        try {
            freePort(t);
            tr.command = t.command();
            long t0 = System.nanoTime();
            running = t;
            t.start(out.resolve("logs").resolve(t.name + ".log"));
            gen.target(t.port, t.webTransport);
            waitReady(t, gen);
            t.ready();
            tr.startupSeconds = Scenarios.round((System.nanoTime() - t0) / 1e9);
            Scenarios sc = new Scenarios(gen, t, s);

            boolean jfr = connectionsOnly && t.jvm && System.getenv("BENCH_NO_JFR") == null;
            // async-profiler instead where its jar is named (every process of the target: the warm ramp's CPU, kernel included)
            boolean[] async = {false};
            tr.connections = sc.connections(conns, warmRamps, () -> {
                async[0] = jfr && Profiler.startCpu(t);
                if (jfr && !async[0]) {
                    Profiler.start(t.pid(), out.resolve(t.name + "-connections.jfr"));
                }
            }, () -> {
                if (async[0]) {
                    Profiler.stopCpu(t, out, t.name.replace('#', '-') + "-connections");
                } else if (jfr) {
                    Profiler.stop(t.pid());
                }
            });
            Scenarios.log("  connections    %d clients, cold %.0f/s, warm %.0f/s handshakes, %s KB resident and %s KB live "
                    + "heap per idle connection%s", tr.connections.clients(), tr.connections.coldHandshakesPerSecond(),
                    tr.connections.warmHandshakesPerSecond(), Report.n(tr.connections.rssPerConnectionKb()),
                    Report.n(tr.connections.liveHeapPerConnectionKb()),
                    Double.isNaN(tr.connections.rssPerConnectionKb()) && tr.connections.clients() > 0
                            ? " (resident: too few connections to resolve)" : "");
            tr.connectionsPerPid = sc.whoami(conns);
            Soundness.connections(t, tr.connections, tr.connectionsPerPid, s.clients());
            if (connectionsOnly) {
                return true;
            }
            gen.requestAll(conns, "join", 1000);
            // the publisher on WebSocket whatever the receivers' transport: on WebTransport, its events crossed the
            // server's UDP socket, which drops datagrams in an overloaded window; QUIC's loss recovery then held the
            // publisher's events back for up to 25 s (until the server's next heartbeat reached it), and the ladder's
            // later windows measured that stall instead of the fan-out (0 delivered, every receiver alive)
            Conn pubConn = connectOne(gen, false);
            others.add(pubConn);
            long publisherPid = Scenarios.parsePid(pubConn.request("whoami").toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS));
            Publisher pub = new Publisher(pubConn);

            tr.fanout.put(String.valueOf(s.clients()), sc.fanout("fanout-" + s.clients(), pub, conns));
            Soundness.stillUp(t);
            profileAtFixedRates(t, sc, pub, conns.size(), s, out);
            if (!fanoutOnly && PROFILED.contains(t.name) && s.profileSeconds() > 0) {
                tr.profile = profile(t, sc, pub, conns.size(), tr.fanout.get(String.valueOf(s.clients())), s, out);
                if (t.name.equals("qsio")) {
                    results.profile = tr.profile;
                }
            }

            Generator.closeAll(conns.subList(s.smallClients(), conns.size()));
            // the closed sockets settle for a fixed time before the next scenario measures
            Thread.sleep(s.settleMillis());
            List<Conn> small = new ArrayList<>(conns.subList(0, s.smallClients()));
            conns.clear();
            conns.addAll(small);
            tr.fanout.put(String.valueOf(s.smallClients()), sc.fanout("fanout-" + s.smallClients(), pub, conns));
            if (fanoutOnly) {
                Soundness.stillUp(t);
                return produced(tr);
            }
            tr.ack = sc.ack(conns.subList(0, Math.min(s.ackClients(), conns.size())));
            Soundness.stillUp(t);
            if (t.workers > 1) {
                tr.crossWorker = sc.crossWorker(pub, publisherPid, conns);
                Scenarios.log("  cross-worker   %d receivers on other workers, %d on the publisher's (p99 there %.2f ms)",
                        tr.crossWorker.receiversOtherWorker(), tr.crossWorker.receiversSameWorker(),
                        tr.crossWorker.sameWorker().p99());
            }
            if (s.mode().equals("smoke") && !t.webTransport) {
                // the hold scenario at a small size, on the same start of the target: it keeps working (its clients
                // are WebSockets: not for the WebTransport targets)
                Generator.closeAll(conns);
                conns.clear();
                Results.Held held = new Hold(gen, t, s, out.resolve("logs")).run(s.heldClients(), s.holdSeconds());
                tr.held.put(String.valueOf(s.heldClients()), held);
                Soundness.held(held);
            }
            Soundness.stillUp(t);
            return produced(tr);
        } catch (Exception e) {
            tr.error = e.getClass().getSimpleName() + ": " + e.getMessage();
            System.out.println("  FAILED: " + tr.error + " (log: " + out.resolve("logs").resolve(t.name + ".log") + ")");
            e.printStackTrace(System.out);
            return false;
        } finally {
            tr.unexpectedCloses = gen.unexpectedCloses.sum() - closes0;
            try {
                Generator.closeAll(conns);
                Generator.closeAll(others);
            } catch (Exception e) {
                // the target is stopped anyway
            }
            t.stop(20_000);
            running = null;
            if (t.name.equals("qsio-traced")) {
                Scenarios.log("  OTLP sink      %d exports, %.1f MB of spans received", OtlpSink.EXPORTS.sum(),
                        OtlpSink.BYTES.sum() / 1048576.0);
            }
            tr.loadAfter = loadAverage();
        }
    }

    /**
     * Warms the generator before the first target: two ramps of connections against the bare Vert.x target, which
     * is not measured. Without it the first target measured (this project) met a generator whose code was not yet
     * compiled and whose heap was not yet sized: it spent 1.6 to 1.9 CPU seconds on a 10,000-connection ramp against
     * 0.9 to 1.0 for the same ramp later in the run, and on 2 CPUs that took handshakes per second from the target.
     */
    private static void warmUp(Generator gen, Path root, Settings s, Path out, boolean held) throws Exception {
        Target t = targets(root, 0).stream().filter(x -> x.name.equals("vertx")).findFirst().orElseThrow();
        freePort(t);
        long t0 = System.nanoTime();
        running = t;
        try {
            t.start(out.resolve("logs").resolve("generator-warm-up.log"));
            gen.target(t.port);
            waitReady(t, gen);
            for (int i = 0; i < 2; i++) {
                if (held) {
                    // the hold scenario's clients are HeldClients: warm those
                    try (HeldClients h = new HeldClients(gen.vertx.nettyEventLoopGroup(), t.port, s.clients())) {
                        h.open(s.clients(), s.heldInFlight(), s.clients(), true, 0);
                    }
                } else {
                    Generator.closeAll(gen.ramp(s.clients(), s.rampInFlight()).conns());
                }
            }
        } finally {
            t.stop(20_000);
            running = null;
            if (t.name.equals("qsio-traced")) {
                Scenarios.log("  OTLP sink      %d exports, %.1f MB of spans received", OtlpSink.EXPORTS.sum(),
                        OtlpSink.BYTES.sum() / 1048576.0);
            }
        }
        Scenarios.log("generator warmed up in %.1f s (%d connections twice, not measured)",
                (System.nanoTime() - t0) / 1e9, s.clients());
        // the same fixed pause as between targets: the warm-up server's shutdown must not overlap the first
        // target's start (a measurement harness, not a test: there is no condition to wait for on another process)
        Thread.sleep(s.pauseMillis());
    }

    private static Results read(Path dir) throws IOException {
        return new ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(dir.resolve("results.json").toFile(), Results.class);
    }

    private static int indexOf(Results results, String name) {
        for (int i = 0; i < results.targets.size(); i++) {
            if (name.equals(results.targets.get(i).name)) {
                return i;
            }
        }
        return -1;
    }

    /** The share of the machine's CPU used by other processes over all the windows of a target. */
    private static double othersShare(TargetResult tr) {
        List<Results.Window> all = new ArrayList<>();
        tr.fanout.values().forEach(f -> all.addAll(f.steps()));
        if (tr.ack != null) {
            all.add(tr.ack);
        }
        if (tr.crossWorker != null) {
            all.add(tr.crossWorker.other());
        }
        double other = all.stream().mapToDouble(Results.Window::otherCpuSeconds).sum();
        double wall = all.stream().mapToDouble(Results.Window::seconds).sum();
        return wall == 0 ? 0 : Scenarios.round4(other / (wall * Runtime.getRuntime().availableProcessors()));
    }

    /** Whether every scenario measured something: deliveries, acks, connections (not how fast). */
    private static boolean produced(TargetResult tr) {
        List<String> missing = new ArrayList<>();
        if (tr.connections == null || tr.connections.clients() == 0) {
            missing.add("connections");
        }
        tr.fanout.forEach((size, f) -> {
            if (f.fixed().latency().count() == 0) {
                missing.add("fan-out " + size);
            }
        });
        if (!fanoutOnly && (tr.ack == null || tr.ack.latency().count() == 0)) {
            missing.add("acks");
        }
        if (!fanoutOnly && tr.workers > 1 && (tr.crossWorker == null || tr.crossWorker.other().latency().count() == 0)) {
            missing.add("cross-worker deliveries");
        }
        heldMissing(tr, missing);
        if (missing.isEmpty()) {
            return true;
        }
        tr.error = "nothing measured for " + String.join(", ", missing);
        System.out.println("  FAILED: " + tr.error);
        return false;
    }

    /** What the hold scenario did not measure: connections not all held, a broadcast to all that did not reach all. */
    private static void heldMissing(TargetResult tr, List<String> missing) {
        tr.held.forEach((size, h) -> {
            if (h.held() < h.clients()) {
                missing.add(h.held() + " of " + size + " connections held"
                        + (h.firstFailure() == null ? "" : " (" + h.firstFailure() + ")"));
            }
            if (h.newClientHandshake().count() == 0) {
                missing.add("new clients' handshakes while " + size + " held");
            }
            if (h.broadcastToAll().stream().anyMatch(r -> r.delivered() < h.held())) {
                missing.add("a broadcast to all " + size + " held connections");
            }
            if (h.roomBroadcast() == null || h.roomBroadcast().latency().count() == 0) {
                missing.add("room broadcast while " + size + " held");
            }
        });
    }

    /**
     * The hold scenario alone: each target started afresh for each size (with heap limits sized for it), the
     * connections held, the target stopped.
     */
    private static boolean holdRun(Path root, List<Target> names, List<Integer> sizes, double holdSeconds, Generator gen,
            Settings s, Path out, Results results) throws Exception {
        boolean ok = true;
        for (Target named : names) {
            TargetResult tr = null;
            int at = indexOf(results, named.name);
            if (at >= 0) {
                tr = results.targets.get(at);
            } else {
                tr = new TargetResult();
                tr.name = named.name;
                tr.label = named.label;
                tr.workers = named.workers;
                results.targets.add(tr);
            }
            for (int n : sizes) {
                Target t = targets(root, n / Math.max(1, named.workers)).stream()
                        .filter(x -> x.name.equals(named.name)).findFirst().orElseThrow();
                tr.command = t.command();
                tr.loadBefore = loadAverage();
                System.out.println("== " + t.label + ", " + n + " connections held for " + holdSeconds + " s  (load "
                        + tr.loadBefore + ")");
                long closes0 = gen.unexpectedCloses.sum();
                try {
                    freePort(t);
                    tr.command = t.command();
                    running = t;
                    t.start(out.resolve("logs").resolve(t.name + "-held-" + n + ".log"));
                    gen.target(t.port);
                    waitReady(t, gen);
                    t.ready();
                    Results.Held h = new Hold(gen, t, s, out.resolve("logs")).run(n, holdSeconds);
                    tr.held.put(String.valueOf(n), h);
                    Soundness.held(h);
                    Soundness.stillUp(t);
                    List<String> missing = new ArrayList<>();
                    heldMissing(tr, missing);
                    if (!missing.isEmpty()) {
                        tr.error = "nothing measured for " + String.join(", ", missing);
                        System.out.println("  FAILED: " + tr.error);
                        ok = false;
                    }
                } catch (Exception e) {
                    tr.error = n + " held: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                    System.out.println("  FAILED: " + tr.error + " (log: " + out.resolve("logs") + ")");
                    e.printStackTrace(System.out);
                    ok = false;
                } finally {
                    tr.unexpectedCloses += gen.unexpectedCloses.sum() - closes0;
                    t.stop(60_000);
                    running = null;
                    tr.loadAfter = loadAverage();
                }
                // a fixed pause between targets, so that one target's shutdown does not overlap the next one's start
                Thread.sleep(s.pauseMillis() * 10);
            }
        }
        return ok;
    }

    /**
     * Every held connection is an open file in the generator (this process) and in the target (which inherits this
     * process's limits; a cluster's worker holds its share): a size beyond the limit fails here, before anything
     * starts, rather than as handshakes refused halfway.
     */
    private static void refuseBeyondOpenFiles(List<Integer> sizes, Settings s) throws IOException {
        long limit = openFilesLimit();
        // the room and probe clients of the hold (the probes' handshakes in flight), and what a JVM keeps open (jars,
        // epoll, pipes)
        long beside = s.heldRoomClients() + s.heldInFlight() / 10 + 512;
        int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (limit > 0 && largest + beside > limit) {
            System.out.println("cannot hold " + largest + " connections: this process may open " + limit
                    + " files (ulimit -n), and the generator needs one per connection plus " + beside + ". On this machine "
                    + "at most " + (limit - beside) + " can be held; more needs a higher hard limit (ulimit -Hn, raised by "
                    + "root with CAP_SYS_RESOURCE: bench/run does it when it may) and fs.nr_open (bench/kernel)");
            System.exit(2);
        }
    }

    /** The soft limit of open files of this process ({@code /proc/self/limits}); -1 when unknown or unlimited. */
    static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        return -1;
    }

    /** {@code 10m}, {@code 90s} or seconds. */
    private static double seconds(String v) {
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.endsWith("m")) {
            return Double.parseDouble(t.substring(0, t.length() - 1)) * 60;
        }
        return Double.parseDouble(t.endsWith("s") ? t.substring(0, t.length() - 1) : t);
    }

    /** One more connection; a handshake lost once (it happens, rarely, among tens of thousands) is retried. */
    private static Conn connectOne(Generator gen, boolean webTransport) throws Exception {
        for (int attempt = 1;; attempt++) {
            try {
                return gen.connect(webTransport).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.out.println("  connection failed, retrying: " + e.getCause().getMessage());
            }
        }
    }

    private static Results.Profile profile(Target t, Scenarios sc, Publisher pub, int receivers,
            Results.FanOut fanout, Settings s, Path out) {
        Path file = out.resolve(t.name + "-fanout.jfr");
        Results.Window at = fanout.best() != null ? fanout.best() : fanout.bestSustained();
        double rate = at != null ? at.offeredPerSecond() : s.fixedRate();
        try {
            Profiler.start(t.pid(), file);
            Results.Window w = sc.sustain(pub, receivers, rate, s.profileSeconds());
            Profiler.stop(t.pid());
            Results.Profile p = Profiler.analyse(t.label, file, w.deliveredPerSecond() * w.seconds());
            Scenarios.log("  profile        %d samples at %.0f deliveries/s, %.0f bytes allocated per delivery, hottest "
                    + "extension frame: %s", p.samples(), rate, p.allocatedBytesPerDelivery(),
                    p.topExtensionFrames().isEmpty() ? "-" : p.topExtensionFrames().get(0).method());
            return p;
        } catch (Exception e) {
            System.out.println("  profile failed: " + e);
            return null;
        }
    }

    /**
     * {@code BENCH_PROFILE_RATES=200000,800000}: after the ladder, one window more at each of these offered rates to
     * every receiver, with async-profiler's CPU samples of every process of a JVM target where
     * {@code BENCH_ASYNC_PROFILER} names its jar ({@code <target>-fanout-<rate>.collapsed}, a cluster's as
     * {@code -primary} and {@code -worker-<pid>}). The windows are logged,
     * not reported: what they are for is the profile, and the write system calls per delivery at equal rates.
     */
    private static void profileAtFixedRates(Target t, Scenarios sc, Publisher pub, int receivers, Settings s,
            Path out) throws Exception {
        String rates = System.getenv("BENCH_PROFILE_RATES");
        if (rates == null || rates.isBlank()) {
            return;
        }
        for (String r : rates.split(",")) {
            double rate = Double.parseDouble(r.trim());
            boolean profiled = Profiler.startCpu(t);
            sc.sustain(pub, receivers, rate, Math.max(s.windowSeconds(), s.profileSeconds()));
            if (profiled) {
                Profiler.stopCpu(t, out, t.name.replace('#', '-') + "-fanout-" + (long) rate);
            }
        }
    }

    /** Ready once connections succeed and, for a cluster, every worker answered {@code whoami}. */
    private static void waitReady(Target t, Generator gen) throws Exception {
        int probes = t.workers > 1 ? 12 : 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!t.alive()) {
                throw new IllegalStateException(t.name + " exited with " + "code before it was ready");
            }
            List<Conn> probe = new ArrayList<>();
            long round = System.nanoTime();
            try {
                for (int i = 0; i < probes; i++) {
                    probe.add(gen.connect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
                }
                Set<Long> pids = new HashSet<>();
                for (Conn c : probe) {
                    pids.add(Scenarios.parsePid(c.request("whoami").toCompletionStage().toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)));
                }
                if (pids.size() >= Math.max(1, t.workers)) {
                    return;
                }
                last = "only " + pids.size() + " of " + t.workers + " workers answered";
            } catch (Exception e) {
                last = String.valueOf(e.getCause() != null ? e.getCause() : e);
            } finally {
                Generator.closeAll(probe);
            }
            if (System.nanoTime() - round > 2_000_000_000L) {
                System.out.println("  waiting for " + t.name + ": " + last);
            }
            // polls the target's readiness probe (this harness has no Awaitility; it is not a test)
            Thread.sleep(250);
        }
        throw new IllegalStateException(t.name + " not ready after 90 s: " + last);
    }

    /**
     * Moves a target off its port when another process took it since the run chose it (a run lasts minutes, and
     * whatever else runs on the machine picks free ports too).
     */
    private static void freePort(Target t) {
        if (portInUse(t.port)) {
            int free = freePorts(1)[0];
            System.out.println("  port " + t.port + " was taken by another process: " + t.name + " serves on " + free);
            t.movePort(free);
        }
    }

    private static boolean portInUse(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Every target, each on a free port. {@code heldPerProcess}: the connections each process of a target will hold
     * (the hold scenario), for which its heap limit is raised: a JVM gets {@code -Xmx} of 1 GB plus 8 KB per
     * connection (at least the usual 2 GB), Node {@code --max-old-space-size} of 1 GB plus 12 KB per connection when
     * that is above its own default (about 4 GB here). These are limits, not what the targets use.
     */
    /** The command start of every Java target alike. */
    static List<String> jvm(long heldPerProcess) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long xmxMb = Math.max(2048, 1024 + heldPerProcess * 8 / 1024);
        List<String> jvm = new ArrayList<>(List.of(java, "-Xmx" + (xmxMb % 1024 == 0 ? xmxMb / 1024 + "g" : xmxMb + "m"),
                "-XX:+UseG1GC"));
        // more options for every Java target alike (BENCH_JVM_OPTS, space-separated), to study one of them
        String extra = System.getenv("BENCH_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        return jvm;
    }

    /**
     * The command start of a Java target run with the AOT cache bench/aot-train left in {@code app}: the JDK that made
     * it (named in {@code app.aot.java}), the usual options, {@code -XX:AOTCache}. Empty when there is none
     * (no JDK 25 at build time), or with BENCH_AOT=0.
     */
    static Optional<List<String>> aotJvm(Path app, List<String> jvm) {
        return aotJvm(app, jvm, "app.aot");
    }

    /**
     * The command start of a cluster target: with the caches {@code bench/aot-train --cluster} left in {@code app}, the
     * primary's ({@code app-primary.aot}) and its workers' ({@code app-worker.aot}, given to them with
     * {@code quarkus.socketio.cluster.worker-aot-cache}), as users are told to run a cluster; else as
     * {@link #aotJvm(Path, List)}. BENCH_AOT_CLUSTER=0 leaves the cluster caches out.
     */
    static Optional<List<String>> aotClusterJvm(Path app, List<String> jvm) {
        Path worker = app.resolve("app-worker.aot");
        if (!"0".equals(System.getenv("BENCH_AOT_CLUSTER")) && Files.isRegularFile(worker)) {
            Optional<List<String>> primary = aotJvm(app, jvm, "app-primary.aot");
            if (primary.isPresent() && newerJar(app, worker).isEmpty()) {
                List<String> command = new ArrayList<>(primary.get());
                command.add("-Dquarkus.socketio.cluster.worker-aot-cache=" + worker);
                return Optional.of(command);
            }
        }
        return aotJvm(app, jvm);
    }

    /** A jar of {@code app} built after {@code cache} was made (the JVM would refuse the cache), if any. */
    private static Optional<Path> newerJar(Path app, Path cache) {
        try (Stream<Path> files = Files.walk(app)) {
            long trained = Files.getLastModifiedTime(cache).toMillis();
            return files.filter(f -> f.toString().endsWith(".jar")).filter(f -> f.toFile().lastModified() > trained)
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<List<String>> aotJvm(Path app, List<String> jvm, String cacheName) {
        Path cache = app.resolve(cacheName);
        Path javaFile = app.resolve("app.aot.java");
        if ("0".equals(System.getenv("BENCH_AOT")) || !Files.isRegularFile(cache) || !Files.isRegularFile(javaFile)) {
            return Optional.empty();
        }
        try {
            String java = Files.readString(javaFile).strip();
            if (!Files.isExecutable(Path.of(java))) {
                return Optional.empty();
            }
            // a jar built after the training: the JVM would refuse the cache (it checks each jar's size and time)
            Optional<Path> newer = newerJar(app, cache);
            if (newer.isPresent()) {
                System.err.println("warning: " + newer.get() + " is newer than the AOT cache " + cache
                        + ": the qsio targets run without it (bench/aot-train makes it again)");
                return Optional.empty();
            }
            List<String> command = new ArrayList<>(jvm);
            command.set(0, java);
            // on: a cache the JVM cannot use (another class path, JDK or GC) fails the start rather than measuring a
            // JVM without it under this name
            command.add(1, "-XX:AOTCache=" + cache);
            command.add(2, "-XX:AOTMode=on");
            return Optional.of(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Target> targets(Path root, long heldPerProcess) {
        List<String> jvm = jvm(heldPerProcess);
        List<String> node = new ArrayList<>(List.of("node", "--expose-gc"));
        long nodeHeapMb = 1024 + heldPerProcess * 12 / 1024;
        if (nodeHeapMb > 4096) {
            node.add("--max-old-space-size=" + nodeHeapMb);
        }
        String server = root.resolve("node/server.mjs").toString();
        String quarkus = root.resolve("quarkus-app/target/quarkus-app/quarkus-run.jar").toString();
        // this project's targets as users are told to run them: on the JDK of the application's AOT cache with it
        // (bench/aot-train, made by the build where a JDK 25 is found), the primary and every worker it starts;
        // -jit: the same application on this JVM (the build's) without a cache, for what the cache changes
        List<String> aot = aotJvm(root.resolve("quarkus-app/target/quarkus-app"), jvm).orElse(jvm);
        // a cluster: the primary's and the workers' caches of bench/aot-train --cluster, where it made them
        List<String> aotCluster = aotClusterJvm(root.resolve("quarkus-app/target/quarkus-app"), jvm).orElse(jvm);
        int[] ports = freePorts(19);
        // the WebTransport targets: the same application with the transport listed, on a certificate made for the run
        List<String> wt = new ArrayList<>(aot);
        wt.addAll(webTransportOptions(root));
        List<String> wtCluster = new ArrayList<>(aotCluster);
        wtCluster.addAll(webTransportOptions(root));
        String traced = root.resolve("quarkus-traced-app/target/quarkus-app/quarkus-run.jar").toString();
        return List.of(
                new Target("qsio", "quarkus-socketio (1 process)", ports[0], 1, true, root, Map.of(),
                        concat(aot, "-Dquarkus.http.port=" + ports[0], "-jar", quarkus)),
                new Target("qsio-cluster", "quarkus-socketio (2 workers)", ports[1], 2, true, root, Map.of(),
                        concat(aotCluster, "-Dquarkus.http.port=" + ports[1], "-Dquarkus.socketio.cluster.workers=2", "-jar",
                                quarkus)),
                new Target("qsio-wt", "quarkus-socketio on WebTransport (1 process)", ports[17], 1, true, root,
                        Map.of(), concat(wt, "-Dquarkus.http.port=" + ports[17],
                                "-Dquarkus.socketio.webtransport.port=" + ports[17], "-jar", quarkus))
                        .onWebTransport(),
                new Target("qsio-cluster-wt", "quarkus-socketio on WebTransport (2 workers)", ports[18], 2, true, root,
                        Map.of(), concat(wtCluster, "-Dquarkus.http.port=" + ports[18],
                                "-Dquarkus.socketio.webtransport.port=" + ports[18],
                                "-Dquarkus.socketio.cluster.workers=2", "-jar", quarkus))
                        .onWebTransport(),
                new Target("qsio-jvm-heap", "quarkus-socketio with the JVM's own heap sizing (1 process)", ports[15], 1,
                        true, root, Map.of(), concat(aot, "-Dquarkus.http.port=" + ports[15],
                                "-Dquarkus.socketio.heap.enabled=false", "-jar", quarkus)),
                new Target("qsio-cluster-jvm-heap", "quarkus-socketio with the JVM's own heap sizing (2 workers)",
                        ports[16], 2, true, root, Map.of(), concat(aotCluster, "-Dquarkus.http.port=" + ports[16],
                                "-Dquarkus.socketio.heap.enabled=false", "-Dquarkus.socketio.cluster.workers=2", "-jar",
                                quarkus)),
                new Target("qsio-jit", "quarkus-socketio without AOT cache, on the build's JVM (1 process)", ports[13],
                        1, true, root, Map.of(), concat(jvm, "-Dquarkus.http.port=" + ports[13], "-jar", quarkus)),
                new Target("qsio-cluster-jit", "quarkus-socketio without AOT cache, on the build's JVM (2 workers)",
                        ports[14], 2, true, root, Map.of(), concat(jvm, "-Dquarkus.http.port=" + ports[14],
                                "-Dquarkus.socketio.cluster.workers=2", "-jar", quarkus)),
                new Target("qsio-otel-off", "quarkus-socketio with OpenTelemetry disabled (1 process)", ports[10], 1,
                        true, root, Map.of(), concat(jvm, "-Dquarkus.http.port=" + ports[10],
                                "-Dquarkus.otel.sdk.disabled=true", "-jar", traced)),
                new Target("qsio-traced", "quarkus-socketio with every span exported (1 process)", ports[11], 1, true,
                        root, Map.of(), concat(jvm, "-Dquarkus.http.port=" + ports[11], "-Dquarkus.otel.sdk.disabled=false",
                                "-Dquarkus.otel.traces.sampler=always_on",
                                "-Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf",
                                "-Dquarkus.otel.exporter.otlp.traces.endpoint=http://127.0.0.1:" + OTLP_PORT, "-jar",
                                traced)),
                new Target("node", "Node socket.io (1 process)", ports[2], 1, false, root, Map.of(),
                        concat(node, server, String.valueOf(ports[2]))),
                new Target("node-cluster", "Node socket.io (2 workers)", ports[3], 2, false, root, Map.of(),
                        concat(node, server, String.valueOf(ports[3]), "2")),
                new Target("node-uws", "Node socket.io on uWebSockets.js (1 process)", ports[8], 1, false, root,
                        Map.of(), concat(node, server, String.valueOf(ports[8]), "0", "uws")),
                new Target("node-uws-cluster", "Node socket.io on uWebSockets.js (2 workers)", ports[9], 2, false, root,
                        Map.of(), concat(node, server, String.valueOf(ports[9]), "2", "uws")),
                new Target("bun", "socket.io on Bun with @socket.io/bun-engine (1 process)", ports[12], 1, false, root,
                        Map.of(), List.of(root.resolve("node/node_modules/.bin/bun").toString(),
                                root.resolve("node/server-bun.mjs").toString(), String.valueOf(ports[12]))),
                new Target("netty-socketio", "netty-socketio (1 JVM)", ports[4], 1, true, root, Map.of(),
                        concat(jvm, "-cp", classpath(root, "netty-socketio-app"),
                                "dev.qsio.bench.nettysocketio.NettySocketIoBench", String.valueOf(ports[4]))),
                new Target("vertx", "bare Vert.x", ports[5], 1, true, root, Map.of(),
                        concat(jvm, "-cp", classpath(root, "vertx-ceiling"), "dev.qsio.bench.ceiling.VertxCeiling",
                                String.valueOf(ports[5]))),
                new Target("netty", "raw Netty (ceiling)", ports[6], 1, true, root, Map.of(),
                        concat(jvm, "-cp", classpath(root, "vertx-ceiling"), "dev.qsio.bench.ceiling.NettyCeiling",
                                String.valueOf(ports[6]))),
                new Target("wsnext", "quarkus-websockets-next endpoint", ports[7], 1, true, root, Map.of(),
                        concat(jvm, "-Dquarkus.http.port=" + ports[7], "-jar",
                                root.resolve("wsnext-app/target/quarkus-app/quarkus-run.jar").toString())));
    }

    /**
     * The targets of a comparison: the application built at each commit, in turns (A B A B ...), so that a drift of the
     * machine's speed during the run falls on every commit alike. Named {@code <name>#<round>}.
     */
    static List<Target> compareTargets(Map<String, String> jars, int rounds, int workers, Path root,
            boolean webTransport) {
        List<String> jvm = jvm(0);
        List<Target> targets = new ArrayList<>();
        int[] ports = freePorts(jars.size() * rounds);
        int k = 0;
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, String> e : jars.entrySet()) {
                int port = ports[k++];
                // with the AOT cache bench/aot-train left beside the jar, as the qsio targets: bench/compare's own
                // builds have none (it does not train them), a build trained by hand runs with its own
                Optional<List<String>> aot = workers > 1 ? aotClusterJvm(Path.of(e.getValue()).getParent(), jvm)
                        : aotJvm(Path.of(e.getValue()).getParent(), jvm);
                List<String> command = new ArrayList<>(aot.orElse(jvm));
                command.add("-Dquarkus.http.port=" + port);
                if (webTransport) {
                    command.addAll(webTransportOptions(root));
                    command.add("-Dquarkus.socketio.webtransport.port=" + port);
                }
                if (workers > 1) {
                    command.add("-Dquarkus.socketio.cluster.workers=" + workers);
                }
                command.add("-jar");
                command.add(e.getValue());
                Target t = new Target(e.getKey() + "#" + round, "quarkus-socketio at " + e.getKey() + " ("
                        + (workers > 1 ? workers + " workers" : "1 process") + (webTransport ? ", WebTransport" : "")
                        + (aot.isPresent() ? aot.get().stream().anyMatch(o -> o.contains("worker-aot-cache"))
                                ? ", AOT caches of a cluster" : ", AOT cache" : "")
                        + "), round " + round, port, workers, true, Path.of(e.getValue()).getParent(), Map.of(), command);
                t.webTransport = webTransport;
                targets.add(t);
            }
        }
        return targets;
    }

    /** Ports free on 127.0.0.1 now (the runs of other people on the machine may hold the usual ones). */
    private static int[] freePorts(int n) {
        int[] ports = new int[n];
        List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(ss);
                ports[i] = ss.getLocalPort();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            for (java.net.ServerSocket ss : held) {
                try {
                    ss.close();
                } catch (IOException e) {
                    // closing a probe socket
                }
            }
        }
        return ports;
    }

    private static String classpath(Path root, String module) {
        Path m = root.resolve(module).resolve("target");
        return m.resolve("classes") + ":" + m.resolve("lib") + "/*";
    }

    /**
     * The options that list WebTransport, with a certificate for 127.0.0.1 made once per run directory of the
     * generator (ECDSA P-256, as browsers ask of a pinned one; the generator does not check it).
     */
    static List<String> webTransportOptions(Path root) {
        Path dir = root.resolve("loadgen/target/webtransport");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        try {
            if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
                Files.createDirectories(dir);
                Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                        "-days", "3650", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                        .redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("openssl could not make the WebTransport targets' certificate: "
                            + output);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the WebTransport targets need openssl to make their certificate: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return List.of("-Dquarkus.socketio.transports=polling,websocket,webtransport",
                "-Dquarkus.socketio.webtransport.host=127.0.0.1",
                "-Dquarkus.socketio.webtransport.certificate-file=" + cert,
                "-Dquarkus.socketio.webtransport.key-file=" + key);
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void machine(Results r) throws IOException {
        r.machine.put("nproc", Runtime.getRuntime().availableProcessors());
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            r.machine.put("cpuModel", lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?"));
        }
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            long kb = lines.filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
            r.machine.put("memoryGb", Math.round(kb / 1048576.0));
        }
        r.machine.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        r.machine.put("loadAverageAtStart", loadAverage());
    }

    private static void versions(Results r, Path root) {
        r.versions.put("Java", System.getProperty("java.runtime.version"));
        // the JVM of the qsio targets when they run with the AOT cache (bench/aot-train), else none
        aotJvm(root.resolve("quarkus-app/target/quarkus-app"), List.of("java")).ifPresentOrElse(
                cmd -> r.versions.put("Java of qsio and qsio-cluster (with AOT cache)",
                        command(cmd.get(0), "-version").lines().findFirst().orElse("?")),
                () -> r.versions.put("Java of qsio and qsio-cluster (with AOT cache)", "none: no AOT cache"));
        r.versions.put("AOT caches of qsio-cluster", aotClusterJvm(root.resolve("quarkus-app/target/quarkus-app"),
                List.of("java")).map(cmd -> cmd.stream().anyMatch(o -> o.contains("worker-aot-cache"))
                        ? "the primary's and the workers' (bench/aot-train --cluster)"
                        : "the single process's, for the primary and its workers").orElse("none"));
        r.versions.put("Node", command("node", "--version").replaceFirst("^v", ""));
        r.versions.put("socket.io", npmVersion(root, "socket.io"));
        r.versions.put("@socket.io/cluster-adapter", npmVersion(root, "@socket.io/cluster-adapter"));
        r.versions.put("uWebSockets.js", npmVersion(root, "@trufflesuite/uws-js-unofficial"));
        r.versions.put("Bun", npmVersion(root, "bun"));
        r.versions.put("@socket.io/bun-engine", npmVersion(root, "@socket.io/bun-engine"));
        r.versions.put("netty-socketio", jarVersion(root.resolve("netty-socketio-app/target/lib"), "netty-socketio-"));
        r.versions.put("Quarkus", jarVersion(root.resolve("quarkus-app/target/quarkus-app/lib/main"), "io.quarkus.quarkus-core-"));
        r.versions.put("Vert.x", jarVersion(root.resolve("loadgen/target/lib"), "vertx-core-"));
    }

    /**
     * Why the uWebSockets.js targets cannot run here, or null when they can: the package ships native builds for some
     * Node versions only (by ABI, {@code process.versions.modules}), and the server exits on another.
     */
    static String uwsMissing(Path root) {
        String build = command("node", "-p", "process.platform + '_' + process.arch + '_' + process.versions.modules")
                .strip();
        String modules = build.substring(build.lastIndexOf('_') + 1);
        Path binaries = root.resolve("node/node_modules/@trufflesuite/uws-js-unofficial/binaries");
        Path binary = binaries.resolve("uws_" + build + ".node");
        if (Files.isRegularFile(binary)) {
            return null;
        }
        return "@trufflesuite/uws-js-unofficial has no build for Node " + command("node", "--version").strip()
                + " (ABI " + modules + "; " + binaries + " has Node 16, 18 and 20's)";
    }

    private static String npmVersion(Path root, String name) {
        try {
            return new ObjectMapper().readTree(root.resolve("node/node_modules").resolve(name).resolve("package.json").toFile())
                    .path("version").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String jarVersion(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".jar"))
                    .map(f -> f.substring(prefix.length(), f.length() - 4)).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<String> text = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes()).trim();
                } catch (IOException e) {
                    return "?";
                }
            });
            p.waitFor(10, TimeUnit.SECONDS);
            return text.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "?";
        }
    }
}
