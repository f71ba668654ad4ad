package dev.qsio.campaign;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.campaign.Schedule.Fault;
import dev.qsio.it.support.ClusterProcess;

/**
 * Injects and heals the faults of a schedule, with real signals, real process restarts and real packet rules:
 * <ul>
 * <li>processes: SIGKILL of a worker, of a primary (its workers follow it), of a whole host; SIGSTOP then SIGCONT of a
 * worker; a rolling restart and a scale up then down through the management endpoints;</li>
 * <li>Redis: SIGKILL then a restart on the same port (its data is gone), SIGSTOP then SIGCONT, and on a Redis Cluster
 * the SIGKILL of a master, its replica's takeover, and the old master's return as a replica;</li>
 * <li>the network, with nftables rules in the host's own namespace, on its link only: a partition from Redis (every
 * packet to or from Redis's ports dropped), a partition between the hosts, the loss of a share of packets both ways
 * ({@code numgen random}); and latency: every packet of the host's link, both ways, queued with iptables' NFQUEUE
 * target to {@code netdelay} (src/main/c), which gives it back after a fixed delay, in order.</li>
 * </ul>
 */
final class Nemesis implements AutoCloseable {

    private static final String TABLE = "qsio_nemesis";
    private static final int QUEUE = 0;

    private final Topology topology;
    private final Path netdelay;
    private final List<Process> delays = new ArrayList<>();
    /** Namespaces that hold rules now, to remove on heal or close. */
    private final Set<String> ruled = new HashSet<>();
    private final Set<String> queued = new HashSet<>();
    private CompletableFuture<HttpResponse<String>> scaling;
    /** The worker each pause stopped, by fault. */
    private final Map<Integer, Long> paused = new HashMap<>();

    Nemesis(Topology topology, Path netdelay) {
        this.topology = topology;
        this.netdelay = netdelay;
    }

    /**
     * Compiles the delaying program once (it needs a C compiler and libnetfilter-queue; bin/prerequisites installs
     * them) into {@code target/}.
     */
    static Path buildNetdelay(Path module) {
        Path source = module.resolve("src/main/c/netdelay.c");
        Path binary = module.resolve("target/netdelay");
        try {
            if (Files.exists(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
                return binary;
            }
            Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-o", binary.toString(), source.toString(),
                    "-lnetfilter_queue", "-lnfnetlink").redirectErrorStream(true).start();
            String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cc.waitFor() != 0) {
                throw new IllegalStateException("cannot build " + source + " (bin/prerequisites test installs gcc and "
                        + "libnetfilter-queue-dev): " + out);
            }
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build " + source + ": no C compiler (apt-get install gcc)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Injects a fault; returns what was done (which process, which port) for the report. */
    String inject(Fault f) {
        ClusterProcess host = f.host() == null ? null : topology.host(f.host());
        return switch (f.kind()) {
            case KILL_WORKER -> {
                JsonNode w = worker(host, f.amount());
                ClusterProcess.signal(w.path("pid").asLong(), "KILL");
                yield "worker " + w.path("id").asInt() + " pid " + w.path("pid").asLong();
            }
            case KILL_PRIMARY -> {
                host.rememberDescendants();
                ClusterProcess.signal(host.pid(), "KILL");
                yield "primary pid " + host.pid();
            }
            case KILL_HOST -> {
                host.rememberDescendants();
                List<Long> pids = Topology.workers(host).stream().map(w -> w.path("pid").asLong()).toList();
                pids.forEach(pid -> ClusterProcess.signal(pid, "KILL"));
                ClusterProcess.signal(host.pid(), "KILL");
                yield "primary pid " + host.pid() + ", workers " + pids;
            }
            case ROLLING_RESTART -> {
                HttpResponse<String> r = host.management("POST", "/q/socketio/cluster/rolling-restart",
                        Topology.CONTROL_TOKEN);
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("rolling restart refused: " + r.statusCode() + " " + r.body());
                }
                yield "workers " + Topology.workers(host).stream().map(w -> w.path("pid").asText())
                        .collect(Collectors.joining(","));
            }
            case SCALE -> {
                // the endpoint answers once the new worker is ready, which a loaded machine may take a minute for: the
                // fault holds meanwhile
                scaling = CompletableFuture.supplyAsync(() -> control(host, "scale?up=1"));
                yield "scaling up to " + (Topology.WORKERS + 1);
            }
            case PAUSE_WORKER_SHORT, PAUSE_WORKER_LONG -> {
                JsonNode w = worker(host, f.amount());
                paused.put(f.index(), w.path("pid").asLong());
                ClusterProcess.signal(w.path("pid").asLong(), "STOP");
                yield "worker " + w.path("id").asInt() + " pid " + w.path("pid").asLong();
            }
            case REDIS_KILL -> {
                topology.redis.kill();
                yield "redis port " + topology.redis.port();
            }
            case REDIS_PAUSE -> {
                topology.redis.pause();
                yield "redis pid " + topology.redis.pid();
            }
            case REDIS_FAILOVER -> {
                List<Integer> masters = topology.redisCluster.masterPorts();
                int port = masters.get(f.amount() % masters.size());
                topology.redisCluster.killMaster(port);
                topology.redisCluster.awaitFailover(port);
                yield "master port " + port;
            }
            case PARTITION_HOST_REDIS -> {
                String ports = topology.redisPorts().stream().map(String::valueOf).collect(Collectors.joining(", "));
                rules(f.host(), "add rule inet " + TABLE + " out ip daddr " + Lab.CORE_ADDRESS + " tcp dport { " + ports
                        + " } drop", "add rule inet " + TABLE + " in ip saddr " + Lab.CORE_ADDRESS + " tcp sport { "
                                + ports + " } drop");
                yield "ports " + ports;
            }
            case PARTITION_HOSTS -> {
                String a = topology.hostNames.get(0);
                String b = topology.lab.address(topology.hostNames.get(1));
                rules(a, "add rule inet " + TABLE + " out ip daddr " + b + " drop",
                        "add rule inet " + TABLE + " in ip saddr " + b + " drop");
                yield a + " from " + b;
            }
            case LOSS -> {
                String share = String.valueOf(f.amount());
                rules(f.host(), "add rule inet " + TABLE + " out oifname eth0 numgen random mod 1000 < " + share + " drop",
                        "add rule inet " + TABLE + " in iifname eth0 numgen random mod 1000 < " + share + " drop");
                yield share + " per mille";
            }
            case LATENCY -> {
                delay(f.host(), f.amount());
                yield f.amount() + " ms each way";
            }
            case STOP_HOST -> throw new IllegalStateException("a deploy's step, not a fault of the campaign");
        };
    }

    /** Heals a fault: the inverse of {@link #inject}, or starting again what was killed. */
    void heal(Fault f) {
        switch (f.kind()) {
            case KILL_WORKER -> {
                // the primary restarts it
            }
            case KILL_PRIMARY, KILL_HOST -> topology.relaunch(f.host());
            case ROLLING_RESTART -> {
                // done when every worker was replaced: the convergence waits for readiness
            }
            case SCALE -> {
                HttpResponse<String> up = scaling.orTimeout(300, TimeUnit.SECONDS).join();
                if (up.statusCode() != 200) {
                    throw new IllegalStateException("scale up refused: " + up.statusCode() + " " + up.body());
                }
                HttpResponse<String> r = control(topology.host(f.host()), "scale?down=1");
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("scale down refused: " + r.statusCode() + " " + r.body());
                }
            }
            case PAUSE_WORKER_SHORT, PAUSE_WORKER_LONG -> ClusterProcess.signal(paused.remove(f.index()), "CONT");
            case REDIS_KILL -> topology.redis.startAgain();
            case REDIS_PAUSE -> topology.redis.resume();
            case REDIS_FAILOVER -> {
                for (int port : topology.redisCluster.ports()) {
                    topology.redisCluster.restartNode(port);
                }
            }
            case PARTITION_HOST_REDIS, LOSS -> clearRules(f.host());
            case PARTITION_HOSTS -> clearRules(topology.hostNames.get(0));
            case LATENCY -> clearDelay(f.host());
            case STOP_HOST -> {
                // not a fault of this campaign
            }
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * A cluster control request, with time for the answer: a scale answers once its worker is ready or gone, which a
     * loaded machine may take minutes for.
     */
    private static HttpResponse<String> control(ClusterProcess host, String action) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(host.managementUrl() + "/q/socketio/cluster/" + action))
                    .timeout(Duration.ofSeconds(300)).header("Authorization", "Bearer " + Topology.CONTROL_TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + action + " on " + host.managementUrl() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode worker(ClusterProcess host, int which) {
        List<JsonNode> workers = Topology.workers(host);
        if (workers.isEmpty()) {
            throw new IllegalStateException("host " + host.url() + " lists no workers");
        }
        return workers.get(which % workers.size());
    }

    private void rules(String host, String... rules) {
        String ns = topology.lab.namespace(host);
        StringBuilder script = new StringBuilder("add table inet " + TABLE + "\n")
                .append("add chain inet " + TABLE + " in { type filter hook input priority 0; }\n")
                .append("add chain inet " + TABLE + " out { type filter hook output priority 0; }\n");
        for (String r : rules) {
            script.append(r).append('\n');
        }
        nft(ns, script.toString());
        ruled.add(ns);
    }

    private void clearRules(String host) {
        String ns = topology.lab.namespace(host);
        nft(ns, "delete table inet " + TABLE + "\n");
        ruled.remove(ns);
    }

    private static void nft(String ns, String script) {
        List<String> cmd = new ArrayList<>(Lab.inside(ns));
        cmd.addAll(List.of("nft", "-f", "-"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("nft in " + ns + " failed: " + out + "\n" + script);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run nft (apt-get install nftables)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void delay(String host, int ms) {
        String ns = topology.lab.namespace(host);
        List<String> cmd = new ArrayList<>(Lab.inside(ns));
        cmd.addAll(List.of(netdelay.toString(), String.valueOf(QUEUE), String.valueOf(ms)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"ready".equals(ready)) {
                throw new IllegalStateException("netdelay did not start in " + ns + ": " + ready);
            }
            synchronized (delays) {
                delays.add(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + netdelay, e);
        }
        // with --queue-bypass, packets pass when no program listens on the queue: a crash lets traffic through
        iptables(ns, "-A", "OUTPUT", "-o", "eth0");
        iptables(ns, "-A", "INPUT", "-i", "eth0");
        queued.add(ns);
    }

    private void clearDelay(String host) {
        String ns = topology.lab.namespace(host);
        if (queued.remove(ns)) {
            iptables(ns, "-D", "OUTPUT", "-o", "eth0");
            iptables(ns, "-D", "INPUT", "-i", "eth0");
        }
        // SIGTERM: it gives back what it holds, then exits
        synchronized (delays) {
            for (Process p : delays) {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delays.clear();
        }
    }

    private static void iptables(String ns, String action, String chain, String direction, String device) {
        List<String> cmd = new ArrayList<>(Lab.inside(ns));
        cmd.addAll(List.of("iptables", action, chain, direction, device, "-j", "NFQUEUE", "--queue-num",
                String.valueOf(QUEUE), "--queue-bypass"));
        Lab.run(cmd.toArray(String[]::new));
    }

    /** Waits until a rolling restart replaced every worker that {@code before} lists (their pids). */
    static void awaitReplaced(ClusterProcess host, String before) {
        Set<String> old = Set.of(before.replace("workers ", "").split(","));
        Awaitility.await().atMost(Topology.RESTART_CONVERGENCE_BOUND).pollInterval(Duration.ofMillis(500))
                .alias("rolling restart of " + host.url() + " replacing " + old)
                .until(() -> {
                    List<JsonNode> now = Topology.workers(host);
                    return now.size() == Topology.WORKERS && now.stream().allMatch(w -> w.path("ready").asBoolean()
                            && !old.contains(w.path("pid").asText()));
                });
    }

    /** Removes every rule and queue still in place and stops the delaying programs. */
    @Override
    public void close() {
        paused.values().forEach(pid -> ClusterProcess.signal(pid, "CONT"));
        paused.clear();
        for (String ns : List.copyOf(ruled)) {
            try {
                nft(ns, "delete table inet " + TABLE + "\n");
            } catch (RuntimeException ignored) {
                // the namespace is deleted with the lab anyway
            }
        }
        ruled.clear();
        for (String h : topology.hostNames) {
            try {
                clearDelay(h);
            } catch (RuntimeException ignored) {
                // as above
            }
        }
    }
}
