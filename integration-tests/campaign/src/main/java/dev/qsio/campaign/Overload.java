package dev.qsio.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.campaign.OverloadChecker.Latency;
import dev.qsio.campaign.OverloadChecker.Phase;
import dev.qsio.it.support.ClusterProcess;

/**
 * The overload campaign: one host of two workers ({@code -Xmx256m} each) with the server's limits at their defaults
 * and the inbound limit a public chat would set, well-behaved official clients (Node {@code socket.io-client} with
 * default options, from many addresses, every transport mix, and Chromium pages) receiving a numbered broadcast stream
 * that carries its send time and asking acknowledgements, while abusers come in turn and then together: clients that
 * stop reading, flooders, a handshake storm from one address and from a hundred, an Admin UI password guesser. Each
 * phase is measured (the well-behaved clients' delivery latency and acknowledgements, the abusers' outcomes, the
 * workers' figures, heap, native memory and CPU) and {@link OverloadChecker} judges the whole. Needs no root.
 */
public final class Overload {

    /**
     * What a run starts: well-behaved Node clients and Chromium pages, the stream's broadcasts per second and padding
     * bytes, an acknowledgement per client every {@code ackEveryMs}, each phase's seconds, and the abusers: clients that
     * stop reading, flooders, the storm's handshakes per second (from one address, then from {@code stormAddresses}),
     * the guesser's logins at once; the server's heartbeat (ping interval and timeout, seconds), which is how long a
     * storm's sessions that never poll live.
     */
    public record Plan(int subscribers, int pages, int rate, int pad, int ackEveryMs, int phaseSeconds, int slow,
            int flooders, int stormRate, int stormAddresses, int guessParallel, int pingInterval, int pingTimeout) {

        /**
         * The build's version: minutes, every abuse, fewer clients, and a shorter heartbeat, so that a storm's sessions
         * end 15 s after it instead of 45 s (the build waits for them before each next phase).
         */
        public static final Plan CI = new Plan(150, 1, 20, 200, 2000, 8, 50, 10, 1000, 20, 4, 5, 10);
        /** The full run of the documentation's figures, with the server's default heartbeat. */
        public static final Plan FULL = new Plan(1000, 3, 10, 100, 2000, 60, 200, 50, 5000, 100, 4, 25, 20);

        long heartbeatSeconds() {
            return pingInterval + pingTimeout;
        }
    }

    /** The phases, in order. */
    static final List<String> PHASES = List.of(OverloadChecker.QUIET, "slow-readers", "flood", "storm-one", "storm-many",
            "guesser", "together");

    /** The inbound limit of the run: what a public chat would set, far above a well-behaved client's few events. */
    static final int EVENTS_PER_SECOND = 50;
    static final int EVENT_BURST = 100;
    /** How long the address of a client cut off past the inbound limit may not open a session on that worker. */
    static final int COOLDOWN_SECONDS = 10;
    /** The server's defaults, given again since the features application turns them off for its other tests. */
    static final int HANDSHAKES_PER_SECOND = 50;
    static final int HANDSHAKE_BURST = 500;
    static final int LOGIN_FAILURES = 5;
    static final int WORKERS = 2;
    static final String HEAP = "-Xmx256m";
    /** The Admin UI's user, with the demo's public hash of "demo"; the guesser never tries that one. */
    static final String ADMIN_HASH = "$2a$10$TtIHvU5TYKIPUxzhP4PG.O84gLo6q7y6dcNH7hVAsneoW6b/i4AY2";
    static final String ADMIN_NAMESPACE = "/ui-admin";

    /**
     * The abusers' CPU priority: on this one machine they would otherwise take from the server the CPU an attacker
     * spends on its own machines; what they achieve (handshakes, events, logins sent) is in the results.
     */
    static final int ABUSERS_NICE = 10;
    /** The Admin UI's window of failed logins (its default). */
    static final long LOGIN_WINDOW_SECONDS = 60;

    /** Source addresses (all of 127/8 is this host's): each kind of client from its own. */
    static List<String> addresses(int third, int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "127.0." + third + "." + i).toList();
    }

    private Overload() {
    }

    /**
     * Runs the campaign with {@code plan}, writes {@code results.json} and {@code report.txt} to {@code out}, and
     * returns the violations. {@code factor} and {@code slackMs} bound each phase's delivery p99 against the quiet
     * phase's.
     */
    public static List<Checker.Violation> run(Plan plan, Path module, Path out, double factor, long slackMs)
            throws Exception {
        return run(plan, module, out, factor, slackMs, Map.of());
    }

    /** The same with configuration properties of the server changed ({@code set}: to see the rules fail without them). */
    public static List<Checker.Violation> run(Plan plan, Path module, Path out, double factor, long slackMs,
            Map<String, String> set) throws Exception {
        Files.createDirectories(out);
        Path jar = module.resolve("../features/target/quarkus-app/quarkus-run.jar").normalize();
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.socketio.ping-interval", plan.pingInterval() + "s");
        props.put("quarkus.socketio.ping-timeout", plan.pingTimeout() + "s");
        props.put("quarkus.socketio.cluster.worker-jvm-options", HEAP + " -XX:NativeMemoryTracking=summary -Xlog:gc:file="
                + out.toAbsolutePath() + "/gc-%p.log:time");
        props.put("quarkus.socketio.limits.handshakes-per-second-per-address", String.valueOf(HANDSHAKES_PER_SECOND));
        props.put("quarkus.socketio.limits.handshake-burst-per-address", String.valueOf(HANDSHAKE_BURST));
        props.put("quarkus.socketio.limits.sessions-per-address", "1000");
        props.put("quarkus.socketio.inbound.events-per-second", String.valueOf(EVENTS_PER_SECOND));
        props.put("quarkus.socketio.inbound.event-burst", String.valueOf(EVENT_BURST));
        props.put("quarkus.socketio.inbound.exceeded", "disconnect");
        props.put("quarkus.socketio.inbound.cooldown", COOLDOWN_SECONDS + "s");
        props.put("quarkus.socketio.admin-ui.enabled", "true");
        props.put("quarkus.socketio.admin-ui.namespace", ADMIN_NAMESPACE);
        props.put("quarkus.socketio.admin-ui.username", "admin");
        props.put("quarkus.socketio.admin-ui.password", ADMIN_HASH);
        props.put("quarkus.socketio.admin-ui.login.max-failures", String.valueOf(LOGIN_FAILURES));
        props.putAll(set);
        Path log = out.resolve("clients.log");
        List<Map<String, Object>> phases = new ArrayList<>();
        List<Phase> measured = new ArrayList<>();
        boolean replaced;
        boolean oom;
        Path historyFile = out.resolve("history.json");
        try (ClusterProcess cluster = ClusterProcess.start(jar, WORKERS, props, "overload")) {
            List<Long> pids = workerPids(cluster);
            Map<String, Object> goodConfig = new LinkedHashMap<>();
            goodConfig.put("url", cluster.url());
            goodConfig.put("subscribers", plan.subscribers());
            goodConfig.put("pages", plan.pages());
            goodConfig.put("churners", 0);
            goodConfig.put("churnLifeMs", 0);
            goodConfig.put("churnLater", false);
            goodConfig.put("publishers", List.of(Map.of("name", "P-host", "url", cluster.url())));
            goodConfig.put("rate", plan.rate());
            goodConfig.put("ackEveryMs", plan.ackEveryMs());
            goodConfig.put("askEveryMs", 0);
            goodConfig.put("dropEveryMs", 0);
            goodConfig.put("pad", plan.pad());
            // 50 well-behaved clients per address, as many users behind one address would be
            goodConfig.put("addresses", addresses(2, Math.max(1, plan.subscribers() / 50)));
            try (Clients good = Clients.start("campaign.mjs", goodConfig, log);
                    Clients abusers = Clients.start("overload-abusers.mjs", Map.of("url", cluster.url()), log, ABUSERS_NICE)) {
                awaitConnected(good, Duration.ofMinutes(5));
                good.ask("phase warm-up", "phase", Duration.ofSeconds(30));
                // the JIT compiles the path under the stream before anything is measured
                Thread.sleep(Math.min(20, plan.phaseSeconds()) * 1000L);
                for (String name : PHASES) {
                    good.ask("phase " + name, "phase", Duration.ofSeconds(30));
                    Map<String, Long> abusersBefore = counts(abusers);
                    Map<String, Long> serverBefore = figures(cluster);
                    Map<Long, Long> cpuBefore = cpu(cluster, pids);
                    long goodCpuBefore = good.cpuTicks();
                    long abusersCpuBefore = abusers.cpuTicks();
                    long start = System.currentTimeMillis();
                    startAbusers(abusers, name, plan);
                    long rss = 0;
                    for (long end = start + plan.phaseSeconds() * 1000L; System.currentTimeMillis() < end;) {
                        // a phase lasts its time whatever happens in it; the workers' memory is sampled each second
                        Thread.sleep(1000);
                        rss = Math.max(rss, pids.stream().mapToLong(Overload::rssKb).max().orElse(0));
                    }
                    Map<String, Object> nmt = nativeMemory(pids);
                    long end = System.currentTimeMillis();
                    // what comes while the abusers stop is not the phase's
                    good.ask("phase settle-" + name, "phase", Duration.ofSeconds(30));
                    stopAbusers(abusers, name);
                    // the abusers ran from their start to here: their limits are judged over this time
                    long abuseEnd = System.currentTimeMillis();
                    Map<String, Long> abuserCounts = delta(counts(abusers), abusersBefore);
                    if (name.equals("storm-one") || name.equals("storm-many") || name.equals("together")) {
                        abuserCounts.put("storm.addresses", (long) (name.equals("storm-one") ? 1 : plan.stormAddresses()));
                    }
                    Map<String, Long> server = delta(settledFigures(cluster), serverBefore);
                    Map<String, Object> phase = new LinkedHashMap<>();
                    phase.put("name", name);
                    phase.put("start", start);
                    phase.put("end", end);
                    phase.put("abuseEnd", abuseEnd);
                    phase.put("abusers", abuserCounts);
                    phase.put("server", server);
                    phase.put("cpuSeconds", delta(cpu(cluster, pids), cpuBefore));
                    // the machine's other tenants: the well-behaved clients' processes and the abusers'
                    phase.put("clientsCpuTicks", good.cpuTicks() - goodCpuBefore);
                    phase.put("abusersCpuTicks", abusers.cpuTicks() - abusersCpuBefore);
                    phase.put("maxRssKb", rss);
                    phase.put("nativeMemory", nmt);
                    phases.add(phase);
                    // the abusers' sessions end (a storm's never polled sessions within the heartbeat), the well-behaved
                    // are all connected again before the next phase
                    awaitConnected(good, Duration.ofMinutes(2));
                    awaitSessionsBelow(cluster, plan.subscribers() + plan.pages() + 10, Duration.ofSeconds(90));
                }
                good.finish(historyFile);
            }
            replaced = !workerPids(cluster).equals(pids);
            oom = cluster.logText().contains("OutOfMemoryError");
        }
        History history = History.read(historyFile, List.of(), List.of());
        Checker.Verdict verdict = Checker.check(history, false);
        JsonNode raw = Clients.JSON.readTree(historyFile.toFile());
        Map<String, List<long[]>> gc = gcLog(out);
        for (Map<String, Object> phase : phases) {
            String name = (String) phase.get("name");
            long start = (Long) phase.get("start");
            long end = (Long) phase.get("end");
            Latency lat = Latency.empty();
            for (JsonNode s : raw.path("subscribers")) {
                JsonNode b = s.path("lat").path(name);
                for (int i = 0; i < b.size() && i < Latency.SIZE; i++) {
                    lat.buckets()[i] += b.get(i).asLong();
                }
            }
            List<Long> ackTimes = new ArrayList<>();
            long failures = 0;
            long disconnects = 0;
            for (History.Subscriber s : history.subscribers()) {
                for (History.Ack a : s.acks()) {
                    if (a.tInvoke() >= start && a.tInvoke() < end) {
                        if (a.outcome() == 1) {
                            ackTimes.add(a.tOutcome() - a.tInvoke());
                        } else {
                            failures++;
                        }
                    }
                }
                // a disconnection from the phase's start to the next phase's (its settling included)
                long until = end + 10_000;
                disconnects += s.life().stream().filter(l -> l.type().equals("disconnect") && l.t() >= start && l.t() < until)
                        .count();
            }
            ackTimes.sort(null);
            long ackP99 = ackTimes.isEmpty() ? 0 : ackTimes.get((int) Math.min(ackTimes.size() - 1, Math.ceil(0.99 * ackTimes.size()) - 1));
            long ackP50 = ackTimes.isEmpty() ? 0 : ackTimes.get(ackTimes.size() / 2);
            @SuppressWarnings("unchecked")
            Map<String, Long> abusers = (Map<String, Long>) phase.get("abusers");
            @SuppressWarnings("unchecked")
            Map<String, Long> server = (Map<String, Long>) phase.get("server");
            long abuseMs = (Long) phase.get("abuseEnd") - start;
            measured.add(new Phase(name, (abuseMs + 999) / 1000, lat, ackTimes.size() + failures, failures, ackP99, disconnects,
                    abusers, server));
            phase.put("latencyBuckets", lat.buckets());
            phase.put("deliveries", lat.count());
            phase.put("latencyP50Ms", lat.quantile(0.5));
            phase.put("latencyP99Ms", lat.quantile(0.99));
            phase.put("latencyMaxMs", lat.quantile(1.0));
            phase.put("acks", ackTimes.size() + failures);
            phase.put("ackFailures", failures);
            phase.put("ackP50Ms", ackP50);
            phase.put("ackP99Ms", ackP99);
            phase.put("disconnects", disconnects);
            phase.put("heap", heapIn(gc, start, end));
        }
        OverloadChecker.Limits limits = new OverloadChecker.Limits(HANDSHAKES_PER_SECOND, HANDSHAKE_BURST, LOGIN_FAILURES,
                LOGIN_WINDOW_SECONDS, WORKERS, factor, slackMs,
                plan.heartbeatSeconds(), COOLDOWN_SECONDS);
        OverloadChecker.Run run = new OverloadChecker.Run(measured, verdict.violations(), oom, replaced, limits);
        List<Checker.Violation> violations = OverloadChecker.check(run);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("plan", plan);
        results.put("limits", limits);
        results.put("changed", set);
        results.put("p99Bound", OverloadChecker.bound(run));
        results.put("phases", phases);
        results.put("histories", verdict.counts());
        results.put("workersReplaced", replaced);
        results.put("outOfMemory", oom);
        results.put("violations", violations.stream().map(Checker.Violation::toString).toList());
        Files.writeString(out.resolve("results.json"),
                Clients.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
        Files.writeString(out.resolve("report.txt"), report(plan, phases, violations, OverloadChecker.bound(run)));
        Files.deleteIfExists(historyFile);
        return violations;
    }

    private static void startAbusers(Clients abusers, String phase, Plan plan) {
        boolean all = phase.equals("together");
        Duration t = Duration.ofSeconds(120);
        if (all || phase.equals("slow-readers")) {
            abusers.ask(json(Map.of("cmd", "slow", "count", plan.slow(), "room", "all", "from", addresses(7, 4))), "slow", t);
        }
        if (all || phase.equals("flood")) {
            abusers.ask(json(Map.of("cmd", "flood", "count", plan.flooders(), "from", addresses(3, 5))), "flood", t);
        }
        if (phase.equals("storm-one")) {
            abusers.ask(json(Map.of("cmd", "storm", "rate", plan.stormRate(), "from", addresses(4, 1))), "storm", t);
        }
        if (all || phase.equals("storm-many")) {
            abusers.ask(json(Map.of("cmd", "storm", "rate", plan.stormRate(), "from", addresses(5, plan.stormAddresses()))),
                    "storm", t);
        }
        if (all || phase.equals("guesser")) {
            abusers.ask(json(Map.of("cmd", "guess", "namespace", ADMIN_NAMESPACE, "user", "admin", "parallel",
                    plan.guessParallel(), "from", "127.0.6.1")), "guess", t);
        }
    }

    private static void stopAbusers(Clients abusers, String phase) {
        for (String what : List.of("storm", "flood", "guess", "slow")) {
            abusers.ask(json(Map.of("cmd", "stop", "what", what)), "stopped", Duration.ofSeconds(120));
        }
    }

    private static String json(Object o) {
        try {
            return Clients.JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Long> counts(Clients abusers) {
        Map<String, Long> m = new TreeMap<>();
        abusers.ask(json(Map.of("cmd", "report")), "report", Duration.ofSeconds(30)).path("counts").properties()
                .forEach(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }

    /** The workers' figures, summed over the workers: every number of their engine and server statistics. */
    private static Map<String, Long> figures(ClusterProcess cluster) {
        Map<String, Long> m = new TreeMap<>();
        for (JsonNode w : cluster.workers()) {
            for (String part : List.of("engine", "socketio")) {
                w.path("stats").path(part).properties().forEach(e -> {
                    if (e.getValue().isNumber()) {
                        m.merge(e.getKey(), e.getValue().asLong(), Long::sum);
                    }
                });
            }
            // the Admin UI's logins, under their group's name: adminLogins.checked is the passwords checked
            w.path("stats").path("adminLogins").properties().forEach(e -> {
                if (e.getValue().isNumber()) {
                    m.merge("adminLogins." + e.getKey(), e.getValue().asLong(), Long::sum);
                }
            });
        }
        return m;
    }

    /**
     * The workers' figures once what the abusers did is all in them: the workers report their figures with their
     * heartbeat, so the last refusals and checks of a phase reach the cluster endpoint a heartbeat or two after the
     * abusers stopped. Read until the abusers' figures (handshakes, limited events, the Admin UI's logins) are the
     * same twice in a row, a second apart, for at most 10 s.
     */
    private static Map<String, Long> settledFigures(ClusterProcess cluster) throws InterruptedException {
        Map<String, Long> last = figures(cluster);
        for (int i = 0; i < 10; i++) {
            Thread.sleep(1000);
            Map<String, Long> now = figures(cluster);
            if (abuses(now).equals(abuses(last))) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static Map<String, Long> abuses(Map<String, Long> figures) {
        Map<String, Long> m = new TreeMap<>();
        figures.forEach((k, v) -> {
            if (k.startsWith("handshakes") || k.startsWith("adminLogins.") || k.equals("eventsLimited")) {
                m.put(k, v);
            }
        });
        return m;
    }

    private static <K> Map<K, Long> delta(Map<K, Long> after, Map<K, Long> before) {
        Map<K, Long> d = new TreeMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }

    private static List<Long> workerPids(ClusterProcess cluster) {
        return cluster.workers().stream().map(w -> w.path("pid").asLong()).sorted().toList();
    }

    static void awaitConnected(Clients good, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        JsonNode s;
        while (true) {
            s = good.status();
            if (s.path("connected").asInt() == s.path("subscribers").asInt()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the well-behaved clients did not all connect within " + bound.toSeconds()
                        + " s: " + s);
            }
            // the runner's own poll of the clients' status (no Awaitility outside the tests)
            Thread.sleep(500);
        }
    }

    private static void awaitSessionsBelow(ClusterProcess cluster, int most, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (figures(cluster).getOrDefault("sessions", 0L) > most && System.nanoTime() < deadline) {
            // the same for the workers' figures
            Thread.sleep(1000);
        }
    }

    /** CPU time of the primary and the workers so far, in hundredths of a second, by process (0 for the primary). */
    private static Map<Long, Long> cpu(ClusterProcess cluster, List<Long> pids) {
        Map<Long, Long> m = new TreeMap<>();
        m.put(0L, ticks(cluster.pid()));
        for (int i = 0; i < pids.size(); i++) {
            m.put((long) i + 1, ticks(pids.get(i)));
        }
        return m;
    }

    /** A process's CPU ticks (1/100 s), with those of its children it has waited for; 0 when it is gone. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime, cutime and cstime: fields 14 to 17 of the line, 12 to 15 after the command
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long rssKb(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst()
                    .orElse(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static final Pattern NMT = Pattern.compile("-\\s+(Java Heap|Other) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    /** Each worker's committed heap and native memory outside it that direct buffers take (NMT's "Other"), in KB. */
    private static Map<String, Object> nativeMemory(List<Long> pids) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (long pid : pids) {
            try {
                Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "VM.native_memory", "summary").redirectErrorStream(true)
                        .start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(30, TimeUnit.SECONDS);
                Map<String, Long> w = new LinkedHashMap<>();
                Matcher x = NMT.matcher(text);
                while (x.find()) {
                    w.put(x.group(1).equals("Other") ? "directCommittedKb" : "heapCommittedKb", Long.parseLong(x.group(3)));
                }
                m.put(String.valueOf(pid), w);
            } catch (IOException e) {
                m.put(String.valueOf(pid), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return m;
    }

    private static final Pattern GC = Pattern.compile("^\\[([^\\]]+)\\].*Pause.*?(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final DateTimeFormatter GC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    /** Every GC pause of every worker: [time, heap before MB, heap after MB]. */
    private static Map<String, List<long[]>> gcLog(Path out) throws IOException {
        Map<String, List<long[]>> m = new TreeMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("gc-")).toList()) {
                List<long[]> pauses = new ArrayList<>();
                for (String line : Files.readAllLines(f)) {
                    Matcher x = GC.matcher(line);
                    if (x.find()) {
                        long t = OffsetDateTime.parse(x.group(1), GC_TIME).toInstant().toEpochMilli();
                        pauses.add(new long[] { t, Long.parseLong(x.group(2)), Long.parseLong(x.group(3)) });
                    }
                }
                m.put(f.getFileName().toString(), pauses);
            }
        }
        return m;
    }

    /** The heap in a phase: the most in use before a collection and the most still live after one, in MB. */
    private static Map<String, Long> heapIn(Map<String, List<long[]>> gc, long start, long end) {
        long before = 0;
        long after = 0;
        long pauses = 0;
        for (List<long[]> list : gc.values()) {
            for (long[] p : list) {
                if (p[0] >= start && p[0] <= end) {
                    before = Math.max(before, p[1]);
                    after = Math.max(after, p[2]);
                    pauses++;
                }
            }
        }
        return Map.of("maxBeforeGcMb", before, "maxAfterGcMb", after, "pauses", pauses);
    }

    private static String report(Plan plan, List<Map<String, Object>> phases, List<Checker.Violation> violations, long bound) {
        StringBuilder b = new StringBuilder();
        b.append("overload campaign: ").append(plan).append('\n');
        b.append(String.format("%-13s %9s %7s %7s %7s %7s %7s %6s %9s %9s %9s %9s%n", "phase", "delivered", "p50 ms", "p99 ms", "max ms",
                "ack p99", "ackfail", "disc", "heap MB", "cpu s", "clients s", "abusers s"));
        for (Map<String, Object> p : phases) {
            @SuppressWarnings("unchecked")
            Map<String, Long> heap = (Map<String, Long>) p.get("heap");
            @SuppressWarnings("unchecked")
            Map<Long, Long> cpu = (Map<Long, Long>) p.get("cpuSeconds");
            b.append(String.format("%-13s %9d %7d %7d %7d %7d %7d %6d %9d %9.1f %9.1f %9.1f%n", p.get("name"), p.get("deliveries"),
                    p.get("latencyP50Ms"), p.get("latencyP99Ms"), p.get("latencyMaxMs"), p.get("ackP99Ms"), p.get("ackFailures"),
                    p.get("disconnects"), heap.get("maxAfterGcMb"), cpu.values().stream().mapToLong(Long::longValue).sum() / 100.0,
                    (Long) p.get("clientsCpuTicks") / 100.0, (Long) p.get("abusersCpuTicks") / 100.0));
            b.append("    abusers: ").append(p.get("abusers")).append('\n');
            @SuppressWarnings("unchecked")
            Map<String, Long> server = (Map<String, Long>) p.get("server");
            b.append("    server: ").append(server.entrySet().stream().filter(e -> e.getValue() != 0)
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))).append('\n');
        }
        b.append("p99 bound: ").append(bound).append(" ms\n");
        b.append(violations.isEmpty() ? "no violation\n" : violations.size() + " violations:\n");
        violations.forEach(v -> b.append("  ").append(v).append('\n'));
        return b.toString();
    }

    /**
     * {@code --full} for the documentation's run, else the build's; {@code --out} the folder of the results;
     * {@code --factor} and {@code --slack-ms} the latency bound (2 and 0); {@code --set k=v,k=v} server properties.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = CampaignMain.arguments(args);
        Path module = Path.of(a.getOrDefault("module", ".")).toAbsolutePath().normalize();
        Plan plan = a.containsKey("full") ? Plan.FULL : Plan.CI;
        Path out = Path.of(a.getOrDefault("out", module.resolve("target/overload").toString()));
        Map<String, String> set = CampaignMain.properties(a.get("set"));
        List<Checker.Violation> v = run(plan, module, out, Double.parseDouble(a.getOrDefault("factor", "2")),
                Long.parseLong(a.getOrDefault("slack-ms", "0")), set);
        System.out.print(Files.readString(out.resolve("report.txt")));
        System.exit(v.isEmpty() ? 0 : 1);
    }
}
