package dev.qsio.campaign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.campaign.History.FaultWindow;
import dev.qsio.campaign.History.Readiness;
import dev.qsio.campaign.Schedule.Fault;
import dev.qsio.campaign.Schedule.Kind;
import dev.qsio.it.support.ClusterProcess;

/**
 * One campaign, run inside the lab's core namespace (see {@link CampaignMain}, which makes the lab): the cluster of
 * its variant, the clients, then the faults of its seed one after the other until its time is up. After each fault
 * heals it waits until the cluster is as before and measures how long that took. Then the clients' histories go to the
 * {@link Checker}, and {@code report.json} and {@code report.txt} to the output folder. Exit status: 0 without
 * violations, 1 with, 2 when the campaign itself could not run.
 */
public final class Campaign {

    /** What a run needs to know; {@link #parse} reads it from {@code --name value} arguments. */
    record Options(long seed, Schedule.Variant variant, int seconds, int maxFaults, Path out, String prefix, Path module,
            int subscribers, int pages, int churners, int rate, boolean soak, int minutes, Set<Kind> kinds) {

        static Options parse(Map<String, String> a) {
            long seed = Long.parseLong(a.getOrDefault("seed", "1"));
            return new Options(seed,
                    a.containsKey("variant") ? Schedule.Variant.valueOf(a.get("variant").toUpperCase().replace('-', '_'))
                            : Schedule.variantOf(seed),
                    Integer.parseInt(a.getOrDefault("seconds", "150")), Integer.parseInt(a.getOrDefault("faults", "1000")),
                    Path.of(a.getOrDefault("out", "target/campaign")).toAbsolutePath(), a.get("prefix"),
                    Path.of(a.getOrDefault("module", ".")).toAbsolutePath(),
                    Integer.parseInt(a.getOrDefault("subscribers", "45")), Integer.parseInt(a.getOrDefault("pages", "3")),
                    Integer.parseInt(a.getOrDefault("churners", "6")), Integer.parseInt(a.getOrDefault("rate", "100")),
                    a.containsKey("soak"), Integer.parseInt(a.getOrDefault("minutes", "30")),
                    a.containsKey("kinds") ? Kind.parse(a.get("kinds")) : EnumSet.allOf(Kind.class));
        }
    }

    static final List<String> HOSTS = List.of("a", "b");

    private final Options options;
    private final List<Readiness> readiness = Collections.synchronizedList(new ArrayList<>());
    private final List<FaultWindow> windows = new ArrayList<>();
    private final ArrayNode faultReport = History.JSON.createArrayNode();
    private final List<String> nemesisFailures = new ArrayList<>();
    private Topology topology;
    private Clients clients;

    private Campaign(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Options options = Options.parse(CampaignMain.arguments(args));
        // the launcher holds our stdin: when it is gone, so are we (the shutdown hook stops what we started)
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent
                }
            } catch (IOException ignored) {
                // closed
            }
            System.exit(3);
        }, "launcher-watch");
        watch.setDaemon(true);
        watch.start();
        Campaign campaign = new Campaign(options);
        Runtime.getRuntime().addShutdownHook(new Thread(campaign::close, "campaign-cleanup"));
        int status;
        try {
            status = campaign.run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 2;
        }
        campaign.close();
        System.exit(status);
    }

    private static void say(String line) {
        System.out.println("[campaign] " + line);
        System.out.flush();
    }

    private int run() throws Exception {
        Files.createDirectories(options.out());
        Lab lab = Lab.existing(options.prefix(), HOSTS);
        Schedule schedule = Schedule.of(options.seed(), options.variant(), options.maxFaults(), HOSTS, options.kinds());
        String kinds = options.kinds().size() == Kind.values().length ? ""
                : " --kinds " + String.join(",", options.kinds().stream().map(Kind::label).toList());
        say("seed " + options.seed() + ", variant " + options.variant().name().toLowerCase().replace('_', '-') + ", "
                + options.seconds() + " s of faults (replay: bin/campaign --seed " + options.seed() + " --variant "
                + options.variant().name().toLowerCase().replace('_', '-') + " --seconds " + options.seconds() + kinds
                + ")");
        Path netdelay = Nemesis.buildNetdelay(options.module());
        Path jar = options.module().resolve("../features/target/quarkus-app/quarkus-run.jar").normalize();
        Path haproxyConfig = options.module().resolve("../../docs/modules/ROOT/examples/load-balancers/haproxy-round-robin.cfg")
                .normalize();
        long setup = System.nanoTime();
        topology = Topology.start(lab, options.variant(), jar, HOSTS, haproxyConfig,
                options.soak() ? Soak.JVM_OPTIONS : List.of("-Xmx512m"));
        List<Map<String, String>> publishers = new ArrayList<>();
        for (String h : HOSTS) {
            publishers.add(Map.of("name", "p-" + h, "url", topology.host(h).url()));
        }
        clients = Clients.start(new Clients.Config(topology.haproxyUrl(), options.subscribers(), options.pages(),
                options.churners(), 4000, options.soak(), publishers, options.rate(), 2000, 5000,
                options.soak() ? 3000 : 0),
                options.out().resolve("clients.log"));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleWithFixedDelay(this::sampleReadiness, 0, 500, TimeUnit.MILLISECONDS);
        Long warm = converge(System.currentTimeMillis(), Topology.RESTART_CONVERGENCE_BOUND);
        if (warm == null) {
            throw new IllegalStateException("the cluster and its clients did not settle before the first fault: "
                    + lastState);
        }
        say("setup took " + (System.nanoTime() - setup) / 1_000_000_000 + " s; " + lastState);

        ObjectNode soak = null;
        if (options.soak()) {
            soak = soak();
        } else {
            long deadline = System.currentTimeMillis() + options.seconds() * 1000L;
            Nemesis nemesis = new Nemesis(topology, netdelay);
            try {
                for (Fault f : schedule.faults()) {
                    if (System.currentTimeMillis() + f.holdMs() > deadline) {
                        break;
                    }
                    runFault(nemesis, f);
                }
            } finally {
                nemesis.close();
            }
        }
        Path file = options.out().resolve("histories.json");
        clients.finish(file);
        sampler.shutdownNow();
        History history = History.read(file, windows, List.copyOf(readiness));
        Checker.Verdict verdict = Checker.check(history, options.variant().recovery);
        report(verdict, soak);
        return verdict.violations().isEmpty() && nemesisFailures.isEmpty() ? 0 : 1;
    }

    private void runFault(Nemesis nemesis, Fault f) throws InterruptedException {
        long start = System.currentTimeMillis();
        String note;
        try {
            note = nemesis.inject(f);
            say("fault " + f.index() + ": " + f.describe() + " (" + note + ")");
            if (f.holdMs() > 0) {
                // the fault's length is the point: a pause, a partition, an outage that lasts this long
                Thread.sleep(f.holdMs());
            }
            if (f.kind() == Kind.ROLLING_RESTART) {
                Nemesis.awaitReplaced(topology.host(f.host()), note);
            }
        } catch (RuntimeException e) {
            // the nemesis could not do what it meant to (a control request refused or too slow): said in the report,
            // and the fault is healed all the same
            note = "NEMESIS FAILED: " + e;
            nemesisFailures.add("fault " + f.index() + " " + f.describe() + ": " + e);
            say("fault " + f.index() + ": " + f.describe() + ": " + note);
        }
        try {
            nemesis.heal(f);
        } catch (RuntimeException e) {
            nemesisFailures.add("healing fault " + f.index() + " " + f.describe() + ": " + e);
            say("  healing failed: " + e);
        }
        long healed = System.currentTimeMillis();
        Long converged = converge(healed, Topology.convergenceBound(f.kind()));
        List<String> cut = switch (f.kind()) {
            case PARTITION_HOST_REDIS -> List.of(f.host());
            case REDIS_KILL, REDIS_PAUSE, REDIS_FAILOVER -> HOSTS;
            default -> List.of();
        };
        windows.add(new FaultWindow(f.index(), f.kind(), f.host(), start, healed, converged, cut, f.holdMs()));
        ObjectNode r = faultReport.addObject().put("index", f.index()).put("kind", f.kind().label())
                .put("host", f.host()).put("amount", f.amount()).put("holdMs", f.holdMs()).put("note", note)
                .put("start", start).put("healed", healed);
        if (converged != null) {
            r.put("convergedMs", converged - healed);
        }
        r.set("convergence", History.JSON.valueToTree(List.copyOf(convergence)));
        say("  healed; " + (converged == null ? "NOT converged within " + Topology.convergenceBound(f.kind()).toSeconds() + " s: "
                + lastState : "converged in " + (converged - healed) + " ms"));
        // calm between faults: the cluster runs as usual for a moment
        Thread.sleep(f.calmMs());
    }

    private void sampleReadiness() {
        for (String h : HOSTS) {
            ClusterProcess host = topology.host(h);
            readiness.add(new Readiness(System.currentTimeMillis(), h, host.status("/q/health/ready")));
        }
    }

    private volatile String lastState = "";
    /** The states {@link #converge} went through, with their times. */
    private final List<String> convergence = new ArrayList<>();

    /**
     * Waits until the cluster is as before a fault: every host ready, every client connected, serverCount the number
     * of workers, and fetchSockets of the room every subscriber joined seeing each. Returns when, or null.
     */
    private Long converge(long from, Duration bound) throws InterruptedException {
        convergence.clear();
        long deadline = from + bound.toMillis();
        int servers = HOSTS.size() * Topology.WORKERS;
        while (System.currentTimeMillis() < deadline) {
            StringBuilder state = new StringBuilder();
            boolean ok = true;
            for (String h : HOSTS) {
                ClusterProcess host = topology.host(h);
                host.rememberDescendants();
                int ready = host.status("/q/health/ready");
                state.append(h).append(" ready ").append(ready).append("; ");
                ok &= ready == 200;
            }
            JsonNode status = clients.status();
            int expected = status.path("subscribers").asInt();
            state.append("clients ").append(status.path("connected").asInt()).append('/').append(expected)
                    .append(", publishers ").append(status.path("publishersConnected").asInt()).append("; ");
            ok &= status.path("connected").asInt() == expected && status.path("publishersConnected").asInt() == HOSTS.size();
            if (ok) {
                JsonNode probe = clients.probe();
                int count = probe.path("fetch").path("count").asInt(-1);
                int serverCount = probe.path("servers").path("value").asInt(-1);
                state.append("fetchSockets ").append(count).append(" (not seen: ").append(probe.path("fetch").path("missing"))
                        .append(probe.path("fetch").has("error") ? ", " + probe.path("fetch").path("error") : "")
                        .append("), serverCount ").append(serverCount);
                ok = count == expected && serverCount == servers;
            }
            if (!state.toString().equals(lastState)) {
                // what the cluster was waiting for, each time it changed: the report says where the time went
                convergence.add((System.currentTimeMillis() - from) + " ms: " + state);
            }
            lastState = state.toString();
            if (ok) {
                return System.currentTimeMillis();
            }
            Thread.sleep(500);
        }
        return null;
    }

    /**
     * The soak: the figures of every worker with the steady clients only, then churn (sockets opening and closing,
     * rooms joined and left, connections dropped and recovered, the broadcast stream) for the soak's minutes less the
     * settling, then the churn stopped and the recovery window (2 minutes) let pass, so that every session it left
     * has expired, and the figures again.
     */
    private ObjectNode soak() throws InterruptedException {
        // warm: the JIT and the pools settle before the first figures
        Thread.sleep(60_000);
        ObjectNode soak = History.JSON.createObjectNode();
        soak.set("start", History.JSON.valueToTree(figures()));
        say("soak: start figures taken; churn for " + (options.minutes() - 4) + " minutes");
        clients.churn(true);
        long end = System.currentTimeMillis() + (options.minutes() - 4) * 60_000L;
        while (System.currentTimeMillis() < end) {
            // the soak's length is the point; the clients churn meanwhile
            Thread.sleep(Math.min(60_000, Math.max(1, end - System.currentTimeMillis())));
            say("soak: " + clients.status());
        }
        clients.churn(false);
        // the recovery window of the last disconnected sessions, and a margin
        Thread.sleep(150_000);
        Long settled = converge(System.currentTimeMillis(), Topology.RESTART_CONVERGENCE_BOUND);
        soak.put("settled", settled != null);
        soak.set("end", History.JSON.valueToTree(figures()));
        return soak;
    }

    private Map<String, Object> figures() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (String h : HOSTS) {
            ClusterProcess host = topology.host(h);
            for (JsonNode w : Topology.workers(host)) {
                all.put(h + "/" + w.path("id").asInt(), Soak.measure(host, w));
            }
        }
        return all;
    }

    private void report(Checker.Verdict verdict, ObjectNode soak) throws IOException {
        ObjectNode report = History.JSON.createObjectNode();
        report.put("seed", options.seed()).put("variant", options.variant().name().toLowerCase().replace('_', '-'))
                .put("seconds", options.seconds());
        if (soak != null) {
            report.set("soak", soak);
        }
        report.set("faults", faultReport);
        report.set("counts", History.JSON.valueToTree(verdict.counts()));
        report.set("violations", History.JSON.valueToTree(verdict.violations().stream().map(Object::toString).toList()));
        report.set("nemesisFailures", History.JSON.valueToTree(nemesisFailures));
        Map<String, List<Long>> convergence = new LinkedHashMap<>();
        for (JsonNode f : faultReport) {
            convergence.computeIfAbsent(f.path("kind").asText(), k -> new ArrayList<>()).add(f.path("convergedMs").asLong(-1));
        }
        report.set("convergenceMs", History.JSON.valueToTree(convergence));
        History.JSON.writerWithDefaultPrettyPrinter().writeValue(options.out().resolve("report.json").toFile(), report);
        StringBuilder text = new StringBuilder();
        text.append("seed ").append(options.seed()).append(", variant ").append(report.path("variant").asText())
                .append(": ").append(faultReport.size()).append(" faults, ").append(verdict.violations().size())
                .append(" violations\n");
        convergence.forEach((k, v) -> text.append("  ").append(k).append(": converged in ").append(v).append(" ms\n"));
        verdict.counts().forEach((k, v) -> text.append("  ").append(k).append(" = ").append(v).append('\n'));
        verdict.violations().forEach(v -> text.append("  VIOLATION ").append(v).append('\n'));
        nemesisFailures.forEach(n -> text.append("  NEMESIS FAILED ").append(n).append('\n'));
        Files.writeString(options.out().resolve("report.txt"), text);
        System.out.print(text.toString().lines().map(l -> "[campaign] " + l + "\n").reduce("", String::concat));
    }

    private synchronized void close() {
        if (clients != null) {
            clients.close();
            clients = null;
        }
        if (topology != null) {
            topology.close();
            topology = null;
        }
    }
}
