package dev.qsio.campaign;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.qsio.campaign.History.FaultWindow;
import dev.qsio.campaign.History.Life;
import dev.qsio.campaign.History.Subscriber;
import dev.qsio.campaign.Schedule.Kind;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.Haproxy;
import dev.qsio.it.support.PostgresServer;
import dev.qsio.it.support.RedisServer;

/**
 * The deploy campaign: what restarts and deploys cost the clients, with connection state recovery on. Official
 * clients only (Node {@code socket.io-client} with its default options, every transport mix, and Chromium pages),
 * receiving a numbered broadcast stream and asking acknowledgements, while the fleet is deployed:
 * <ul>
 * <li>{@code local}: one host of 2 workers on the local bus: a rolling restart, a scale 2 to 4 to 2, a worker
 * SIGKILLed;</li>
 * <li>{@code redis} (the streams adapter) and {@code postgres}: two hosts of 2 workers behind HAProxy (round robin, no
 * stickiness): each host in turn stopped with SIGTERM and started again (a new build), then each SIGKILLed (its
 * workers and primary) and started again;</li>
 * <li>{@code pods}: one process per pod, two pods on Redis (the streams adapter) behind HAProxy, with the steps of
 * {@code redis}.</li>
 * </ul>
 * The {@link Checker} judges every delivery (lost, duplicated, reordered), acknowledgement (answered once or failed) and
 * reconnection (recovered); each step also gives the clients' time without a connection (p50, p99, max), the
 * reconnections per second the fleet took (the herd) against what {@code drain-spread} allows, the CPU of the servers
 * that took them, and the clients that did not come back. Needs no root.
 */
public final class Deploy {

    /**
     * What a run starts: subscribers, Chromium pages, broadcasts per second in all, an acknowledgement per subscriber
     * every {@code ackEveryMs}, the calm after each step, the server's {@code drain-spread} in seconds, and the layouts.
     */
    public record Plan(int subscribers, int pages, int rate, int ackEveryMs, int settleSeconds, int spreadSeconds,
            List<String> layouts, boolean everyStep) {

        /**
         * The build's version: fewer clients, the layout of two hosts on Redis, and two steps (a host's SIGTERM and the
         * other's SIGKILL). The local bus's steps are LocalRecoveryIT's (a worker's SIGKILL, a rolling restart and a
         * scale-down, with official clients in every transport mix), which the build runs too.
         */
        public static final Plan CI = new Plan(120, 1, 20, 2000, 2, 2, List.of("redis"), false);
        /** The documentation's run: every layout, every step. */
        public static final Plan FULL = new Plan(5000, 3, 5, 10_000, 10, 5, List.of("local", "redis", "postgres", "pods"),
                true);
    }

    static final int WORKERS = 2;
    static final String TOKEN = "deploy";
    static final Path HAPROXY = Path.of("docs/modules/ROOT/examples/load-balancers/haproxy-round-robin.cfg");
    /** How long a step may take to be as before (every client connected again). */
    static final Duration CONVERGENCE = Duration.ofSeconds(180);

    private Deploy() {
    }

    /** One step of a deploy, as it went. */
    record Step(String layout, String label, Kind kind, String host, long start, long healed, Long converged,
            long cpuTicks, long clientsCpuTicks, JsonNode clientsLag, List<String> survivors) {
    }

    /** A fleet of one layout: where clients connect, the publishers (name and URL), its hosts, and its processes. */
    private interface Fleet extends AutoCloseable {
        String url();

        List<Map<String, String>> publishers();

        /** The pids of every server process of the fleet but those of {@code except} (a host's name, or null). */
        List<Long> pids(String except);

        @Override
        void close();
    }

    /**
     * Runs the layouts of {@code plan}; writes each one's {@code history.json}, {@code results.json} and a
     * {@code report.txt} of them all to {@code out}; returns the violations.
     */
    public static List<Checker.Violation> run(Plan plan, Path module, Path out) throws Exception {
        return run(plan, module, out, Map.of());
    }

    /** The same with configuration properties of the servers changed ({@code set}). */
    public static List<Checker.Violation> run(Plan plan, Path module, Path out, Map<String, String> set)
            throws Exception {
        Files.createDirectories(out);
        Path root = module.resolve("../..").normalize();
        Path jar = module.resolve("../features/target/quarkus-app/quarkus-run.jar").normalize();
        List<Checker.Violation> violations = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("plan", plan);
        for (String layout : plan.layouts()) {
            Path dir = out.resolve(layout);
            Files.createDirectories(dir);
            Map<String, Object> r = runLayout(layout, plan, root, jar, dir, violations, set);
            results.put(layout, r);
        }
        Clients.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(),
                results);
        Files.writeString(out.resolve("report.txt"), report(plan, results, violations));
        return violations;
    }

    private static Map<String, Object> runLayout(String layout, Plan plan, Path root, Path jar, Path dir,
            List<Checker.Violation> violations, Map<String, String> set) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.socketio.connection-state-recovery.enabled", "true");
        props.put("quarkus.socketio.drain-spread", plan.spreadSeconds() + "s");
        // the server's default heartbeat (the features application sets a short one for its other tests)
        props.put("quarkus.socketio.ping-interval", "25s");
        props.put("quarkus.socketio.ping-timeout", "20s");
        props.put("quarkus.socketio.cluster.control.enabled", "true");
        props.put("quarkus.socketio.cluster.control.token", TOKEN);
        props.put("quarkus.socketio.cluster.start-timeout", "180s");
        props.put("quarkus.socketio.cluster.min-ready-workers", "1");
        props.putAll(set);
        List<Step> steps = new ArrayList<>();
        Path log = dir.resolve("clients.log");
        Path historyFile = dir.resolve("history.json");
        try (Fleet fleet = fleet(layout, props, root, jar)) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("url", fleet.url());
            config.put("subscribers", plan.subscribers());
            config.put("pages", plan.pages());
            config.put("churners", 0);
            config.put("churnLifeMs", 0);
            config.put("churnLater", false);
            config.put("publishers", fleet.publishers());
            config.put("rate", plan.rate());
            config.put("ackEveryMs", plan.ackEveryMs());
            config.put("askEveryMs", 0);
            config.put("dropEveryMs", 0);
            // many users behind each address, as under the server's limits per address
            config.put("addresses", Overload.addresses(3, Math.max(1, plan.subscribers() / 50)));
            try (Clients clients = Clients.start("campaign.mjs", config, log)) {
                Overload.awaitConnected(clients, Duration.ofMinutes(10));
                settle(plan);
                if (layout.equals("local")) {
                    LocalFleet host = (LocalFleet) fleet;
                    if (plan.everyStep()) {
                        // up first; the killed worker's clients then spread over the three others, so that the
                        // scale-down moves some, and the rolling restart all
                        steps.add(step(layout, "scale 2 -> 4", Kind.SCALE, null, clients, fleet, plan, () -> host.scale(4)));
                    }
                    steps.add(step(layout, "worker SIGKILL", Kind.KILL_WORKER, "local", clients, fleet, plan,
                            host::killWorker));
                    if (plan.everyStep()) {
                        steps.add(step(layout, "scale 4 -> 2", Kind.SCALE, null, clients, fleet, plan, () -> host.scale(2)));
                    }
                    steps.add(step(layout, "rolling restart (SIGUSR1)", Kind.ROLLING_RESTART, null, clients, fleet, plan,
                            host::rollingRestart));
                } else {
                    HostsFleet hosts = (HostsFleet) fleet;
                    for (String h : plan.everyStep() ? HostsFleet.NAMES : List.of("a")) {
                        steps.add(step(layout, "host " + h + " SIGTERM, started again", Kind.STOP_HOST, h, clients, fleet,
                                plan, () -> hosts.stop(h, "TERM"), () -> hosts.start(h)));
                    }
                    for (String h : plan.everyStep() ? HostsFleet.NAMES : List.of("b")) {
                        steps.add(step(layout, "host " + h + " SIGKILL, started again", Kind.KILL_HOST, h, clients, fleet,
                                plan, () -> hosts.stop(h, "KILL"), () -> hosts.start(h)));
                    }
                }
                clients.finish(historyFile);
            }
        }
        List<FaultWindow> windows = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            windows.add(new FaultWindow(i, s.kind(), s.host(), s.start(), s.healed(), s.converged(), List.of(), 0));
        }
        History history = History.read(historyFile, windows, List.of());
        Checker.Verdict verdict = Checker.check(history, true);
        verdict.violations().forEach(v -> violations.add(new Checker.Violation(v.rule(), layout + " " + v.who(), v.detail())));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("counts", verdict.counts());
        r.put("violations", verdict.violations().stream().map(Checker.Violation::toString).toList());
        List<Map<String, Object>> stepResults = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            long end = i + 1 < steps.size() ? steps.get(i + 1).start() : Long.MAX_VALUE;
            stepResults.add(stepResult(s, history, end, plan, violations));
        }
        r.put("steps", stepResults);
        long notBack = history.subscribers().stream().filter(s -> !connectedAtEnd(s)).count();
        r.put("clientsNotBack", notBack);
        if (notBack > 0) {
            violations.add(new Checker.Violation("not-back", layout, notBack + " clients not connected at the end"));
        }
        return r;
    }

    /** Whether a client's last lifecycle event of a connection is a connect. */
    static boolean connectedAtEnd(Subscriber s) {
        for (int i = s.life().size() - 1; i >= 0; i--) {
            String t = s.life().get(i).type();
            if (t.equals("connect")) {
                return true;
            }
            if (t.equals("disconnect")) {
                return false;
            }
        }
        return false;
    }

    /**
     * What a step cost the clients: the times without a connection of the reconnections it caused (from a disconnect
     * after its start and before the next step), the most reconnections in one second, and how many reconnected.
     */
    static Map<String, Object> stepResult(Step s, History h, long end, Plan plan, List<Checker.Violation> violations) {
        List<Long> gaps = new ArrayList<>();
        List<Long> served = new ArrayList<>();
        List<Long> reconnects = new ArrayList<>();
        int recovered = 0;
        for (Subscriber sub : h.subscribers()) {
            long down = -1;
            long attempt = -1;
            for (Life l : sub.life()) {
                if (l.type().equals("disconnect") && l.t() >= s.start() && l.t() < end && down < 0) {
                    down = l.t();
                    attempt = -1;
                } else if (l.type().equals("reconnect_attempt") && down >= 0) {
                    attempt = l.t();
                } else if (l.type().equals("connect") && down >= 0) {
                    gaps.add(l.t() - down);
                    if (attempt >= 0) {
                        // from the attempt that succeeded (after the client's own reconnection delay) to its connect
                        served.add(l.t() - attempt);
                    }
                    reconnects.add(l.t());
                    recovered += l.recovered() ? 1 : 0;
                    down = -1;
                }
            }
        }
        Collections.sort(gaps);
        Collections.sort(served);
        TreeMap<Long, Integer> perSecond = new TreeMap<>();
        reconnects.forEach(t -> perSecond.merge(t / 1000, 1, Integer::sum));
        int peak = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layout", s.layout());
        m.put("step", s.label());
        m.put("reconnections", gaps.size());
        m.put("recovered", recovered);
        m.put("offlineMsP50", percentile(gaps, 0.50));
        m.put("offlineMsP99", percentile(gaps, 0.99));
        m.put("offlineMsMax", gaps.isEmpty() ? 0 : gaps.get(gaps.size() - 1));
        if (!served.isEmpty()) {
            m.put("attemptToConnectMsP50", percentile(served, 0.50));
            m.put("attemptToConnectMsP99", percentile(served, 0.99));
        }
        m.put("peakReconnectionsPerSecond", peak);
        m.put("healedMs", s.healed() - s.start());
        m.put("convergedMs", s.converged() == null ? -1 : s.converged() - s.start());
        m.put("survivorsCpuSeconds", s.cpuTicks() / 100.0);
        m.put("survivors", s.survivors());
        m.put("survivorsCpuShare", share(s.cpuTicks(), s));
        m.put("clientsCpuSeconds", s.clientsCpuTicks() / 100.0);
        m.put("clientsCpuShare", share(s.clientsCpuTicks(), s));
        // how late the clients' own event loop ran from the step's start to every client back
        m.put("clientsLagMsP99", s.clientsLag().path("p99").asDouble());
        m.put("clientsLagMsMax", s.clientsLag().path("max").asDouble());
        if (s.kind() == Kind.STOP_HOST || s.kind() == Kind.ROLLING_RESTART || s.kind() == Kind.SCALE) {
            // a graceful stop closes its sessions over the spread: the clients come back at most at that pace (their
            // reconnection delay, 0.5 to 1.5 s, spreads them further), with a margin of a second's worth
            int moved = gaps.size();
            int bound = (int) Math.ceil(2.0 * moved / Math.max(1, plan.spreadSeconds())) + 10;
            m.put("herdBound", bound);
            if (peak > bound) {
                violations.add(new Checker.Violation("herd", s.layout() + " " + s.label(), peak
                        + " reconnections in one second, over the " + bound + " that drain-spread (" + plan.spreadSeconds()
                        + " s) allows for " + moved));
            }
        }
        return m;
    }

    /** CPUs used on average from a step's start to every client back, from clock ticks (1/100 s) over that time. */
    static double share(long ticks, Step s) {
        return s.converged() == null || s.converged() <= s.start() ? 0
                : Math.round(1000.0 * ticks * 10 / (s.converged() - s.start())) / 1000.0;
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /**
     * Runs one step: the action (which returns once the fleet is back to its size, every worker ready), then waits
     * until every client is connected again and the calm has passed; the CPU of the servers that stayed and of the
     * clients until then.
     */
    private static Step step(String layout, String label, Kind kind, String host, Clients clients, Fleet fleet, Plan plan,
            Runnable action) throws InterruptedException {
        return step(layout, label, kind, host, clients, fleet, plan, action, null);
    }

    /**
     * A step whose host comes back later ({@code then}): it is started again once every client is connected to the
     * others, as a new build on a machine of its own would be; on this one machine its JVMs' start would otherwise
     * take the CPU the others need for the clients that come back to them.
     */
    private static Step step(String layout, String label, Kind kind, String host, Clients clients, Fleet fleet, Plan plan,
            Runnable action, Runnable then) throws InterruptedException {
        System.out.println("[deploy] " + layout + ": " + label);
        List<Long> survivors = fleet.pids(host);
        Map<Long, Long> cpuBefore = new HashMap<>();
        survivors.forEach(pid -> cpuBefore.put(pid, Overload.ticks(pid)));
        long clientsBefore = clients.cpuTicks();
        clients.lag();
        long start = System.currentTimeMillis();
        action.run();
        long healed = System.currentTimeMillis();
        Long converged = null;
        try {
            Overload.awaitConnected(clients, CONVERGENCE);
            converged = System.currentTimeMillis();
        } catch (IllegalStateException e) {
            System.out.println("[deploy]   not converged: " + e.getMessage());
        }
        // the CPU from the step's start to every client back: of the processes that served throughout (a process
        // replaced meanwhile reads 0 once gone), and of the clients' process, which shares the machine with them
        long cpu = 0;
        List<String> stayed = new ArrayList<>();
        for (long pid : survivors) {
            long after = Overload.ticks(pid);
            if (after > 0) {
                cpu += after - cpuBefore.get(pid);
                stayed.add(String.valueOf(pid));
            }
        }
        long clientsCpu = clients.cpuTicks() - clientsBefore;
        JsonNode lag = clients.lag();
        if (then != null) {
            then.run();
            healed = System.currentTimeMillis();
        }
        settle(plan);
        return new Step(layout, label, kind, host, start, healed, converged, cpu, clientsCpu, lag, stayed);
    }

    /** The calm between steps: the stream goes on for {@code settleSeconds}. */
    private static void settle(Plan plan) throws InterruptedException {
        // the stream runs through the calm; nothing else happens in it
        Thread.sleep(plan.settleSeconds() * 1000L);
    }

    private static Fleet fleet(String layout, Map<String, String> props, Path root, Path jar) {
        return switch (layout) {
            case "local" -> new LocalFleet(jar, props);
            case "redis", "postgres", "pods" -> new HostsFleet(layout, jar, props, root);
            default -> throw new IllegalArgumentException("no layout " + layout + ": local, redis, postgres or pods");
        };
    }

    /** One host of 2 workers on the local bus. */
    static final class LocalFleet implements Fleet {
        final ClusterProcess host;

        LocalFleet(Path jar, Map<String, String> props) {
            Map<String, String> p = new HashMap<>(props);
            p.put("quarkus.socketio.cluster.node-id", "host-local");
            host = ClusterProcess.start(jar, WORKERS, p, "deploy-local");
        }

        @Override
        public String url() {
            return host.url();
        }

        @Override
        public List<Map<String, String>> publishers() {
            return List.of(Map.of("name", "P-local", "url", host.url()));
        }

        @Override
        public List<Long> pids(String except) {
            List<Long> pids = new ArrayList<>();
            pids.add(host.pid());
            Topology.workers(host).forEach(w -> pids.add(w.path("pid").asLong()));
            return pids;
        }

        void rollingRestart() {
            Set<Long> before = Set.copyOf(workerPids());
            int n = before.size();
            ClusterProcess.signal(host.pid(), "USR1");
            await(() -> {
                List<JsonNode> w = Topology.workers(host);
                return w.size() == n && w.stream().allMatch(x -> x.path("ready").asBoolean()
                        && !before.contains(x.path("pid").asLong()));
            }, "every worker replaced and ready");
        }

        /** Scales to {@code n} workers; returns once exactly that many run, all ready. */
        void scale(int n) {
            control("scale?to=" + n);
            await(() -> Topology.workers(host).size() == n && readyWorkers() == n, n + " workers ready");
        }

        void killWorker() {
            List<Long> before = workerPids();
            long pid = before.get(0);
            ClusterProcess.signal(pid, "KILL");
            await(() -> readyWorkers() == before.size() && !workerPids().contains(pid), "the killed worker replaced");
        }

        private List<Long> workerPids() {
            return Topology.workers(host).stream().map(w -> w.path("pid").asLong()).toList();
        }

        private long readyWorkers() {
            return Topology.workers(host).stream().filter(w -> w.path("ready").asBoolean()).count();
        }

        private void control(String action) {
            HttpResponse<String> r = post(host, action);
            if (r.statusCode() != 200) {
                throw new IllegalStateException(action + " refused: " + r.statusCode() + " " + r.body());
            }
        }

        @Override
        public void close() {
            host.close();
        }
    }

    /**
     * Two hosts behind HAProxy: of 2 workers each on Redis (the streams adapter) or PostgreSQL, or ({@code pods}) of one
     * process each on Redis.
     */
    static final class HostsFleet implements Fleet {
        static final List<String> NAMES = List.of("a", "b");
        final String layout;
        /** Workers per host; 0: the host is one process, as a pod of the one-process-per-pod layout is. */
        final int workers;
        final Path jar;
        final Map<String, ClusterProcess> hosts = new LinkedHashMap<>();
        final Map<String, int[]> ports = new HashMap<>();
        final Map<String, Map<String, String>> properties = new HashMap<>();
        RedisServer redis;
        PostgresServer postgres;
        Haproxy haproxy;

        HostsFleet(String layout, Path jar, Map<String, String> props, Path root) {
            this.layout = layout;
            this.jar = jar;
            this.workers = layout.equals("pods") ? 0 : WORKERS;
            try {
                Map<String, String> wire = new HashMap<>(props);
                if (!layout.equals("postgres")) {
                    redis = RedisServer.start("deploy");
                    wire.put("quarkus.socketio.bus", "redis");
                    wire.put("quarkus.socketio.redis.url", redis.url());
                    wire.put("quarkus.socketio.redis.adapter", "streams");
                } else {
                    postgres = PostgresServer.start("deploy");
                    wire.putAll(postgres.datasource());
                    wire.put("quarkus.socketio.bus", "postgres");
                }
                for (String h : NAMES) {
                    Map<String, String> p = new HashMap<>(wire);
                    p.put("quarkus.socketio.cluster.node-id", "host-" + h);
                    properties.put(h, p);
                    ports.put(h, new int[] { ClusterProcess.freePort(), ClusterProcess.freePort() });
                    hosts.put(h, launch(h));
                }
                hosts.values().forEach(this::awaitReady);
                haproxy = Haproxy.start(root.resolve(HAPROXY), hosts.get("a"), hosts.get("b"), "deploy-" + layout);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        private ClusterProcess launch(String h) {
            int[] p = ports.get(h);
            return ClusterProcess.launch(jar, workers, properties.get(h), "deploy-" + layout + "-" + h, p[0], p[1],
                    List.of(), ClusterProcess.Placement.LOOPBACK);
        }

        /** Waits until a host is ready: its workers, or (one process) its readiness probe, the one HAProxy checks. */
        private void awaitReady(ClusterProcess host) {
            if (workers > 0) {
                host.awaitReady(workers, Duration.ofSeconds(300));
            } else {
                Deploy.await(() -> {
                    if (!host.process().isAlive()) {
                        throw new IllegalStateException("the process exited; the end of its log:\n" + host.tail(60));
                    }
                    return host.status("/q/health/ready") == 200;
                }, "the process on port " + host.port() + " ready");
            }
        }

        /**
         * Stops a host (SIGTERM to its primary, which drains its workers; or SIGKILL to its workers and primary) and
         * waits until its processes are gone.
         */
        void stop(String h, String signal) {
            ClusterProcess host = hosts.get(h);
            host.rememberDescendants();
            List<ProcessHandle> processes = host.processesStarted();
            if (signal.equals("KILL")) {
                Topology.workers(host).forEach(w -> ClusterProcess.signal(w.path("pid").asLong(), "KILL"));
            }
            ClusterProcess.signal(host.pid(), signal);
            await(() -> processes.stream().noneMatch(ProcessHandle::isAlive), "host " + h + "'s processes gone");
            host.close();
        }

        /** Starts a stopped host again on the same ports (the new build of a deploy) and waits until it is ready. */
        void start(String h) {
            ClusterProcess fresh = launch(h);
            hosts.put(h, fresh);
            awaitReady(fresh);
        }

        @Override
        public String url() {
            return haproxy.url();
        }

        @Override
        public List<Map<String, String>> publishers() {
            return NAMES.stream().map(h -> Map.of("name", "P-" + h, "url", hosts.get(h).url())).toList();
        }

        @Override
        public List<Long> pids(String except) {
            List<Long> pids = new ArrayList<>();
            hosts.forEach((name, host) -> {
                if (!name.equals(except)) {
                    pids.add(host.pid());
                    Topology.workers(host).forEach(w -> pids.add(w.path("pid").asLong()));
                }
            });
            return pids;
        }

        @Override
        public void close() {
            if (haproxy != null) {
                haproxy.close();
            }
            hosts.values().forEach(ClusterProcess::close);
            if (redis != null) {
                redis.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A cluster control request; a scale answers once its workers are ready or gone. */
    static HttpResponse<String> post(ClusterProcess host, String action) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(host.managementUrl() + "/q/socketio/cluster/" + action))
                    .timeout(Duration.ofSeconds(300)).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("POST " + action + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The runner's own wait for a condition of the fleet (no Awaitility outside the tests), up to 5 minutes. */
    static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within 5 minutes: " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static String report(Plan plan, Map<String, Object> results, List<Checker.Violation> violations) {
        StringBuilder b = new StringBuilder();
        b.append("Deploy campaign: ").append(plan).append('\n');
        b.append(String.format("%-9s %-32s %6s %6s %9s %9s %9s %6s %6s %8s %9s %9s%n", "layout", "step", "recon",
                "recov", "p50 ms", "p99 ms", "max ms", "peak/s", "bound", "cpu s", "clients s", "lag p99"));
        for (String layout : plan.layouts()) {
            Map<String, Object> r = (Map<String, Object>) results.get(layout);
            for (Map<String, Object> s : (List<Map<String, Object>>) r.get("steps")) {
                b.append(String.format("%-9s %-32s %6s %6s %9s %9s %9s %6s %6s %8.2f %9.2f %9.1f%n", layout,
                        s.get("step"),
                        s.get("reconnections"), s.get("recovered"), s.get("offlineMsP50"), s.get("offlineMsP99"),
                        s.get("offlineMsMax"), s.get("peakReconnectionsPerSecond"), s.getOrDefault("herdBound", "-"),
                        (Double) s.get("survivorsCpuSeconds"), (Double) s.get("clientsCpuSeconds"),
                        (Double) s.get("clientsLagMsP99")));
            }
            Map<String, Long> counts = (Map<String, Long>) r.get("counts");
            b.append("  ").append(layout).append(": ").append(counts.getOrDefault("deliveries", 0L)).append(" deliveries, ")
                    .append(counts.getOrDefault("expected", 0L)).append(" expected; clients not back at the end: ")
                    .append(r.get("clientsNotBack")).append("; counts ").append(counts).append('\n');
        }
        b.append(violations.isEmpty() ? "no violation\n" : violations.size() + " violations:\n");
        violations.forEach(v -> b.append("  ").append(v).append('\n'));
        return b.toString();
    }

    /**
     * {@code --full} for the documentation's run, else the build's; {@code --out} the results' folder;
     * {@code --layouts a,b} some of the layouts; {@code --subscribers n} another number of Node clients;
     * {@code --set k=v,k=v} server properties.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = CampaignMain.arguments(args);
        Path module = Path.of(a.getOrDefault("module", ".")).toAbsolutePath().normalize();
        Plan plan = a.containsKey("full") ? Plan.FULL : Plan.CI;
        if (a.containsKey("layouts")) {
            plan = new Plan(plan.subscribers(), plan.pages(), plan.rate(), plan.ackEveryMs(), plan.settleSeconds(),
                    plan.spreadSeconds(), List.of(a.get("layouts").split(",")), plan.everyStep());
        }
        if (a.containsKey("subscribers")) {
            plan = new Plan(Integer.parseInt(a.get("subscribers")), plan.pages(), plan.rate(), plan.ackEveryMs(),
                    plan.settleSeconds(), plan.spreadSeconds(), plan.layouts(), plan.everyStep());
        }
        Path out = Path.of(a.getOrDefault("out", module.resolve("target/deploy").toString()));
        List<Checker.Violation> v = run(plan, module, out, CampaignMain.properties(a.get("set")));
        System.out.print(Files.readString(out.resolve("report.txt")));
        System.exit(v.isEmpty() ? 0 : 1);
    }
}
