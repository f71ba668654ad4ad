package dev.qsio.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Redis Cluster of real {@code redis-server} processes (Debian's package) on free loopback ports, without
 * persistence: by default 3 masters with a replica each, created with {@code redis-cli --cluster create}. A master can
 * be killed for its replica to take over ({@link #killMaster(int)}, {@link #awaitFailover(int)}). Every node logs to
 * {@code target/cluster-logs/redis-cluster-<name>-<time>/node-<port>.log} and keeps its {@code nodes.conf} in
 * {@code node-<port>/} beside. {@link #close()} stops every node.
 */
public final class RedisCluster implements AutoCloseable {

    /**
     * The {@code cluster-node-timeout} of every node, in milliseconds: how long a node may stay silent before the
     * others flag it as failing, which is what starts the failover of a master. Redis's default (15 s) would make
     * every failover test wait that long; with 1500 ms a replica takes over about 3 s after its master died, while
     * the timeout stays well above the pauses of a busy CI machine (a shorter one could fail over a master that is
     * only slow).
     */
    public static final int NODE_TIMEOUT_MILLIS = 1500;

    /** How long a replica may take to replace a killed master, counted from {@link #awaitFailover(int)}. */
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);
    /** A bound for one redis-cli command, so that a node that accepts connections but never answers fails a test. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final int SLOTS = 16384;

    private final Path dir;
    /** The address the nodes listen on beside 127.0.0.1 and announce to their clients. */
    private final String address;
    /** In the order they were given to redis-cli --cluster create. */
    private final List<Node> nodes;
    /** The masters stopped by {@link #killMaster(int)}, by port, as they were just before. */
    private final Map<Integer, NodeView> killed = new HashMap<>();
    private boolean closed;

    private RedisCluster(Path dir, String address, List<Node> nodes) {
        this.dir = dir;
        this.address = address;
        this.nodes = nodes;
    }

    /** Starts a cluster of 3 masters with a replica each, and waits until it serves every slot. */
    public static RedisCluster start(String name) {
        return start(name, 3, 1);
    }

    /**
     * Starts a cluster of {@code masters} masters (at least 3, as redis-cli requires) with {@code replicasPerMaster}
     * replicas each, and waits until every node sees every slot served and every replica is in sync with its master.
     */
    public static RedisCluster start(String name, int masters, int replicasPerMaster) {
        return start(name, masters, replicasPerMaster, "127.0.0.1");
    }

    /**
     * {@link #start(String, int, int)} with nodes that also listen on {@code address} and announce it to their
     * clients (an address of a network namespace that hosts in other namespaces reach).
     */
    public static RedisCluster start(String name, int masters, int replicasPerMaster, String address) {
        if (masters < 3 || replicasPerMaster < 0) {
            throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters and 0 or more replicas each, "
                    + "not " + masters + " and " + replicasPerMaster);
        }
        Path dir = Path.of("target", "cluster-logs", "redis-cluster-" + name + "-" + System.currentTimeMillis())
                .toAbsolutePath();
        Set<Integer> taken = new HashSet<>();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
            // the cluster bus listens on port + 10000 unless told otherwise, which is past 65535 for a free port above
            // 55535 (Linux hands them out up to 60999) and may be taken anyway: each node gets a free one of its own
            nodes.add(new Node(freePort(taken), freePort(taken), dir, address));
        }
        RedisCluster cluster = new RedisCluster(dir, address, nodes);
        try {
            for (Node node : nodes) {
                node.start();
            }
            for (Node node : nodes) {
                cluster.awaitPing(node);
            }
            cluster.create(replicasPerMaster);
            String problem = cluster.awaitNoProblem(Duration.ofSeconds(60),
                    () -> cluster.readinessProblem(masters, replicasPerMaster));
            if (problem != null) {
                throw new IllegalStateException("the Redis Cluster " + name + " did not become ready within 60 s: "
                        + problem + "; logs in " + dir);
            }
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private static int freePort(Set<Integer> taken) {
        while (true) {
            int port = ClusterProcess.freePort();
            if (taken.add(port)) {
                return port;
            }
        }
    }

    private void awaitPing(Node node) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .alias("redis-server on port " + node.port + " answering; log: " + node.log).until(() -> {
                    if (!node.isAlive()) {
                        throw new IllegalStateException("redis-server on port " + node.port + " exited; see "
                                + node.log);
                    }
                    return "PONG".equals(command(node.port, "PING"));
                });
    }

    private void create(int replicasPerMaster) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(n -> cmd.add("127.0.0.1:" + n.port));
        cmd.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
        Result result = run(cmd, Duration.ofSeconds(60));
        try {
            Files.writeString(dir.resolve("cluster-create.log"), result.output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // only a copy for the curious: the failure below says the same
        }
        if (result.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + result.exitCode + "): "
                    + result.output);
        }
    }

    /** What keeps the cluster from being ready, or null once it is. */
    private String readinessProblem(int masters, int replicasPerMaster) {
        for (Node node : nodes) {
            String health = clusterHealthProblem(node.port);
            if (health != null) {
                return health;
            }
            List<NodeView> view = clusterNodes(node.port);
            long servingMasters = view.stream().filter(v -> v.isMaster() && !v.slots.isEmpty()).count();
            long replicas = view.stream().filter(v -> v.flags.contains("slave")).count();
            if (view.size() != nodes.size() || servingMasters != masters
                    || replicas != (long) masters * replicasPerMaster) {
                return "node " + node.port + " sees " + servingMasters + " masters serving slots and " + replicas
                        + " replicas among " + view.size() + " nodes";
            }
            if (view.stream().anyMatch(v -> v.myself && v.flags.contains("slave"))) {
                // a replica that never synchronised would refuse to take over from its master
                String link = infoFields(command(node.port, "INFO", "replication")).get("master_link_status");
                if (!"up".equals(link)) {
                    return "replica " + node.port + " has master_link_status:" + link;
                }
            }
        }
        return null;
    }

    /** Why a node does not report an {@code ok} cluster with all slots served, or null when it does. */
    private String clusterHealthProblem(int port) {
        Map<String, String> info = infoFields(command(port, "CLUSTER", "INFO"));
        if (!"ok".equals(info.get("cluster_state")) || !String.valueOf(SLOTS).equals(info.get("cluster_slots_ok"))) {
            return "node " + port + " reports cluster_state:" + info.get("cluster_state") + " cluster_slots_ok:"
                    + info.get("cluster_slots_ok") + " cluster_slots_pfail:" + info.get("cluster_slots_pfail")
                    + " cluster_slots_fail:" + info.get("cluster_slots_fail");
        }
        return null;
    }

    /**
     * Polls {@code problem} (null meaning done) until it is null or the time is up, then returns the last problem seen
     * (null when done); a command that fails counts as a problem, since nodes may be down on purpose.
     */
    private String awaitNoProblem(Duration timeout, Supplier<String> problem) {
        AtomicReference<String> last = new AtomicReference<>("not checked yet");
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                try {
                    last.set(problem.get());
                } catch (RuntimeException e) {
                    last.set(e.getMessage());
                }
                return last.get() == null;
            });
            return null;
        } catch (ConditionTimeoutException e) {
            return last.get();
        }
    }

    /** The ports of every node, masters and replicas, in the order the cluster was created with. */
    public List<Integer> ports() {
        return nodes.stream().map(n -> n.port).toList();
    }

    /**
     * The ports of the masters serving slots now, ascending, as a live node sees them: a replica promoted by a
     * failover is among them, a killed master is not.
     */
    public List<Integer> masterPorts() {
        return clusterNodes(anyLiveNode().port).stream()
                .filter(v -> v.isMaster() && !v.isFailing() && !v.slots.isEmpty() && node(v.port).isAlive())
                .map(v -> v.port).sorted().toList();
    }

    /**
     * The seeds of the cluster for an application, {@code redis://127.0.0.1:<port>} for each of {@link #masterPorts()},
     * separated by commas: the form {@code quarkus.socketio.redis.url} takes in cluster mode, and the Node scripts'.
     */
    public String seeds() {
        return masterPorts().stream().map(p -> "redis://" + address + ":" + p).collect(Collectors.joining(","));
    }

    /**
     * The port of the master that owns the hash slot of {@code key} (a key or a sharded Pub/Sub channel, such as
     * {@code socket.io#/#}), as a live node sees it now: until a failover completes, that is still a killed master.
     */
    public int masterPortForSlotOf(String key) {
        int port = anyLiveNode().port;
        int slot = Integer.parseInt(command(port, "CLUSTER", "KEYSLOT", key));
        return clusterNodes(port).stream().filter(v -> v.isMaster() && v.serves(slot)).map(v -> v.port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot + " of " + key
                        + " as node " + port + " sees it"));
    }

    /**
     * Stops every node's process (SIGSTOP) without closing anything, as a stalled VM or a network that drops
     * everything silently would: connections stay open, nothing is answered. All at once, so that no node sees the
     * others fail and no failover starts.
     */
    public synchronized void pauseAll() {
        nodes.forEach(n -> ClusterProcess.signal(n.process.pid(), "STOP"));
    }

    /** Lets the nodes stopped by {@link #pauseAll()} run again (SIGCONT). */
    public synchronized void resumeAll() {
        nodes.forEach(n -> ClusterProcess.signal(n.process.pid(), "CONT"));
    }

    /** Kills (SIGKILL) the master on {@code port}, which must be serving slots, as a crash would. */
    public synchronized void killMaster(int port) {
        Node node = node(port);
        if (!node.isAlive()) {
            throw new IllegalStateException("the node on port " + port + " is not running");
        }
        NodeView self = clusterNodes(port).stream().filter(v -> v.myself).findFirst().orElseThrow();
        if (!self.isMaster() || self.slots.isEmpty()) {
            throw new IllegalArgumentException("the node on port " + port + " is not a master serving slots: "
                    + self.flags + " " + self.slots.size() + " slot ranges");
        }
        killed.put(port, self);
        node.kill();
    }

    /**
     * Starts again, on its port and with its {@code nodes.conf}, a node stopped by {@link #killMaster(int)}, and waits
     * until it answers PING: it rejoins the cluster, as a replica of the master that replaced it if the failover
     * happened meanwhile.
     */
    public synchronized void restartNode(int port) {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        Node node = node(port);
        if (!node.isAlive()) {
            node.start();
            awaitPing(node);
        }
    }

    /**
     * Waits until every surviving node reports an {@code ok} cluster with all slots served and sees the slots of the
     * master killed on {@code killedPort} served by another, live master (its promoted replica): at most 30 s, then
     * fails with what was last seen.
     */
    public void awaitFailover(int killedPort) {
        NodeView dead;
        synchronized (this) {
            dead = killed.get(killedPort);
        }
        if (dead == null) {
            throw new IllegalStateException("no master was killed on port " + killedPort + " with killMaster");
        }
        String problem = awaitNoProblem(FAILOVER_TIMEOUT, () -> {
            for (Node node : nodes) {
                if (!node.isAlive()) {
                    continue;
                }
                String health = clusterHealthProblem(node.port);
                if (health != null) {
                    return health;
                }
                List<NodeView> view = clusterNodes(node.port);
                for (int[] range : dead.slots) {
                    NodeView owner = view.stream().filter(v -> v.isMaster() && v.serves(range[0])).findFirst()
                            .orElse(null);
                    if (owner == null || owner.id.equals(dead.id) || owner.isFailing() || !node(owner.port).isAlive()) {
                        return "node " + node.port + " sees slot " + range[0] + " served by "
                                + (owner == null ? "nobody" : owner.port + " " + owner.flags);
                    }
                }
            }
            return null;
        });
        if (problem != null) {
            throw new AssertionError("no replica took over the slots of the master killed on port " + killedPort
                    + " within " + FAILOVER_TIMEOUT.toSeconds() + " s (cluster-node-timeout " + NODE_TIMEOUT_MILLIS
                    + " ms); last seen: " + problem + "; logs in " + dir);
        }
    }

    /**
     * Runs {@code redis-cli} with {@code args} against the node on {@code port} and returns what it printed, without
     * the final line break. Replies come in redis-cli's raw form (one line per element of an array); an error reply
     * comes back as its text ({@code ERR ...}, {@code MOVED ...}), while a node that cannot be reached throws.
     */
    public String command(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        Result result = run(cmd, COMMAND_TIMEOUT);
        if (result.exitCode != 0) {
            throw new IllegalStateException("redis-cli -p " + port + " " + String.join(" ", args) + " failed (exit "
                    + result.exitCode + "): " + result.output.strip());
        }
        return result.output.stripTrailing();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> cmd, Duration timeout) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            AtomicBoolean timedOut = new AtomicBoolean();
            // the output is read on this thread, and a hung redis-cli killed after the bound, which ends the read
            CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                if (p.isAlive()) {
                    timedOut.set(true);
                    p.destroyForcibly();
                }
            });
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exitCode = p.waitFor();
            if (timedOut.get()) {
                throw new IllegalStateException(String.join(" ", cmd) + " did not end within " + timeout.toSeconds()
                        + " s: " + output);
            }
            return new Result(exitCode, output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-cli (apt-get install redis-server)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code key:value} lines of an {@code INFO} or {@code CLUSTER INFO} answer. */
    private static Map<String, String> infoFields(String info) {
        Map<String, String> fields = new LinkedHashMap<>();
        info.lines().forEach(line -> {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        });
        return fields;
    }

    /** The cluster as the node on {@code port} sees it ({@code CLUSTER NODES}). */
    private List<NodeView> clusterNodes(int port) {
        return command(port, "CLUSTER", "NODES").lines().filter(l -> !l.isBlank()).map(NodeView::parse).toList();
    }

    private Node anyLiveNode() {
        return nodes.stream().filter(Node::isAlive).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster is running"));
    }

    private Node node(int port) {
        return nodes.stream().filter(n -> n.port == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node of this cluster listens on port " + port));
    }

    /** Stops every node (SIGTERM, then SIGKILL for those still running after 5 s). Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // all at once, under one bound: one by one, the waits would add up
        nodes.forEach(Node::terminate);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Node node : nodes) {
            node.awaitStop(deadline);
        }
    }

    /** One line of {@code CLUSTER NODES}: the node's id, port, flags and the slot ranges it serves. */
    private record NodeView(String id, int port, Set<String> flags, boolean myself, List<int[]> slots) {

        static NodeView parse(String line) {
            // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
            String[] f = line.strip().split(" ");
            String address = f[1].split("@")[0];
            Set<String> flags = Set.of(f[2].split(","));
            List<int[]> slots = new ArrayList<>();
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue; // a slot being migrated or imported, which no test does
                }
                String[] bounds = f[i].split("-");
                slots.add(new int[] { Integer.parseInt(bounds[0]), Integer.parseInt(bounds[bounds.length - 1]) });
            }
            return new NodeView(f[0], Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)), flags,
                    flags.contains("myself"), slots);
        }

        boolean isMaster() {
            return flags.contains("master");
        }

        /** Flagged as failing by this node ({@code fail?}) or by a majority of masters ({@code fail}). */
        boolean isFailing() {
            return flags.contains("fail") || flags.contains("fail?");
        }

        boolean serves(int slot) {
            return slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
        }
    }

    /** One redis-server process of the cluster. */
    private static final class Node {

        final int port;
        final int busPort;
        final Path clusterDir;
        final Path log;
        final String address;
        volatile Process process;

        Node(int port, int busPort, Path clusterDir, String address) {
            this.port = port;
            this.busPort = busPort;
            this.clusterDir = clusterDir;
            this.address = address;
            this.log = clusterDir.resolve("node-" + port + ".log");
        }

        void start() {
            try {
                Path data = Files.createDirectories(clusterDir.resolve("node-" + port));
                List<String> cmd = List.of("redis-server", "--port", String.valueOf(port),
                        "--cluster-port", String.valueOf(busPort), "--bind",
                        "127.0.0.1".equals(address) ? address : "127.0.0.1 " + address, "--protected-mode", "no",
                        "--save", "", "--appendonly", "no", "--dir", data.toString(),
                        // a master waits 5 s by default for more replicas before it streams its data set to one,
                        // which would hold up every start of a cluster
                        "--repl-diskless-sync-delay", "0",
                        "--cluster-enabled", "yes", "--cluster-config-file", data.resolve("nodes.conf").toString(),
                        "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MILLIS),
                        // the address the nodes give each other and their clients (CLUSTER SLOTS, MOVED): the one
                        // they listen on, whatever address the first MEET came from
                        "--cluster-announce-ip", address,
                        // the process title names the checkout, so that CI's cleanup finds a node a crashed test left
                        "--proc-title-template", "{title} {listen-addr} {server-mode} " + clusterDir);
                process = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start redis-server (apt-get install redis-server)", e);
            }
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }

        void kill() {
            process.destroyForcibly();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("redis-server on port " + port + " survived SIGKILL for 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void terminate() {
            if (process != null) {
                process.destroy();
            }
        }

        void awaitStop(long deadlineNanos) {
            if (process == null) {
                return;
            }
            try {
                if (!process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
