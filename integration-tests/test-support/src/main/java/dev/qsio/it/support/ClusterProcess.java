package dev.qsio.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A packaged application started as a cluster (a primary and its workers) on free loopback ports, for tests that
 * need real worker processes. {@link #close()} stops it and every process it started.
 */
public final class ClusterProcess implements AutoCloseable {

    /**
     * The server's default heartbeat (ping every 25 s, 20 s to answer), for tests whose application sets a short one
     * but that must not count a client starved for two seconds on a busy machine as gone.
     */
    public static final Map<String, String> DEFAULT_HEARTBEAT = Map.of("quarkus.socketio.ping-interval", "25s",
            "quarkus.socketio.ping-timeout", "20s");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The java of this JVM: the processes it starts run on the same one. */
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    /**
     * The JIT of the processes the tests start: {@code -XX:TieredStopAtLevel=1} (the quick compiler only) unless
     * {@code -Dqsio.it.jit=full}. A test's process lives seconds: the optimising compiler's work (a third of a cold
     * start's CPU, more under load) would be paid by each of the hundreds of JVMs the tests start on two CPUs, and
     * repaid by none. What the application does is the same; how fast it does it is the benchmarks' (bench/, with the
     * JVM as users run it). A cluster's primary passes the option on to its workers with its other JVM options.
     */
    static final List<String> JIT = "full".equals(System.getProperty("qsio.it.jit", "quick")) ? List.of()
            : List.of("-XX:TieredStopAtLevel=1");

    /**
     * Where a cluster runs: the command its JVM is started through (none, or {@code ip netns exec <namespace>} for a
     * host of its own) and the address its listeners bind and are reached at.
     */
    public record Placement(List<String> launcher, String address) {

        /** On this machine's loopback, started directly. */
        public static final Placement LOOPBACK = new Placement(List.of(), "127.0.0.1");
    }

    private final Process process;
    private final String address;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final List<ProcessHandle> seen = new ArrayList<>();

    private ClusterProcess(Process process, String address, int port, int managementPort, Path log) {
        this.process = process;
        this.address = address;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** The number of sessions of the warm-up: off in the processes the tests start, unless they give it. */
    public static final String WARM_UP = "quarkus.socketio.warm-up.connections";

    /** Set to 0 s unless a test gives it (an empty value: the application's default). */
    public static final String DRAIN_SPREAD = "quarkus.socketio.drain-spread";

    /** Starts the application at {@code jar} with {@code workers} workers and waits until all are ready. */
    public static ClusterProcess start(Path jar, int workers, Map<String, String> properties, String name) {
        return start(jar, workers, properties, name, ClusterProcess::freePort);
    }

    /**
     * Starts the application on a port from {@code ports}, and again on the next one when the primary found its
     * port taken (up to three tries), then waits until its workers are ready.
     */
    public static ClusterProcess start(Path jar, int workers, Map<String, String> properties, String name,
            IntSupplier ports) {
        for (int attempt = 1;; attempt++) {
            ClusterProcess cluster = launch(jar, workers, properties, name, ports.getAsInt());
            try {
                cluster.awaitReady(workers);
                return cluster;
            } catch (AssertionError | RuntimeException e) {
                // a cluster that did not get ready is stopped here: the caller never gets it to close
                boolean again = cluster.lostItsPorts() && attempt < PORT_ATTEMPTS;
                cluster.close();
                if (!again) {
                    throw e;
                }
            }
        }
    }

    /**
     * How many times a start on ports of its own choosing is tried: a port found free here may be taken by another
     * process (an outgoing connection's ephemeral port, a test picking ports the same way) before the application
     * binds it a second later. Only that failure is retried.
     */
    private static final int PORT_ATTEMPTS = 3;

    /** Whether the primary exited because a port picked for it was taken meanwhile. */
    boolean lostItsPorts() {
        if (process.isAlive()) {
            return false;
        }
        String text = logText();
        return text.contains("Address already in use") || text.contains("already bound");
    }

    /** Starts the application without waiting for it. */
    public static ClusterProcess launch(Path jar, int workers, Map<String, String> properties, String name) {
        return launch(jar, workers, properties, name, freePort());
    }

    /** Starts the application on a given HTTP port and waits until its workers are ready. */
    public static ClusterProcess start(Path jar, int workers, Map<String, String> properties, String name, int port) {
        ClusterProcess cluster = launch(jar, workers, properties, name, port);
        try {
            cluster.awaitReady(workers);
        } catch (AssertionError | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Starts the application on a given HTTP port without waiting for it. */
    public static ClusterProcess launch(Path jar, int workers, Map<String, String> properties, String name, int port) {
        return launch(jar, workers, properties, name, port, List.of());
    }

    /** Starts the application on a given HTTP port, with options for its JVM, without waiting for it. */
    public static ClusterProcess launch(Path jar, int workers, Map<String, String> properties, String name, int port,
            List<String> jvmOptions) {
        return launch(jar, workers, properties, name, port, freePort(), jvmOptions, Placement.LOOPBACK);
    }

    /**
     * Starts the application on given HTTP and management ports, placed as {@code placement} says (for example in a
     * network namespace of its own), without waiting for it.
     */
    public static ClusterProcess launch(Path jar, int workers, Map<String, String> properties, String name, int port,
            int management, List<String> jvmOptions, Placement placement) {
        List<String> cmd = new ArrayList<>(placement.launcher());
        cmd.add(JAVA);
        cmd.addAll(JIT);
        cmd.addAll(ClassDataSharing.options(jar));
        cmd.addAll(jvmOptions);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.http.host=" + placement.address());
        cmd.add("-Dquarkus.management.port=" + management);
        cmd.add("-Dquarkus.management.host=" + placement.address());
        if (workers > 0) {
            cmd.add("-Dquarkus.socketio.cluster.workers=" + workers);
        }
        if (!properties.containsKey(WARM_UP)) {
            // the warm-up of a packaged single process (6 to 7 s of 4,000 sessions on Java 17) would be paid by each
            // of the hundreds of processes the tests start; WarmUpIT tests it, with its default (an empty value)
            cmd.add("-D" + WARM_UP + "=0");
        }
        if (!properties.containsKey(DRAIN_SPREAD)) {
            // a worker's drain spreads over 5 s by default in a packaged application: every cluster's stop, and each
            // roll or scale-down of the tests, would take that much longer; GracefulStopIT tests the default
            cmd.add("-D" + DRAIN_SPREAD + "=0s");
        }
        properties.forEach((k, v) -> {
            // these settings given empty: left unset, so that the application's own default applies (an empty system
            // property would also hide the value a primary gives a worker in its environment)
            if (!((k.equals(WARM_UP) || k.equals(DRAIN_SPREAD)) && v.isEmpty())) {
                cmd.add("-D" + k + "=" + v);
            }
        });
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        try {
            Path logs = Path.of("target", "cluster-logs");
            Files.createDirectories(logs);
            Path log = logs.resolve(name + "-" + System.currentTimeMillis() + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ClusterProcess(p, placement.address(), port, management, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + jar, e);
        }
    }

    /** Starts the application as one process (no workers) and waits until it answers handshakes. */
    public static ClusterProcess startSingle(Path jar, Map<String, String> properties, String name) {
        return startSingle(jar, properties, name, List.of());
    }

    /** Starts the application as one process with options for its JVM, and waits until it answers handshakes. */
    public static ClusterProcess startSingle(Path jar, Map<String, String> properties, String name,
            List<String> jvmOptions) {
        for (int attempt = 1;; attempt++) {
            ClusterProcess single = launch(jar, 0, properties, name, freePort(), jvmOptions);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .alias("single process answering; log: " + single.log).until(() -> !single.process.isAlive()
                                || RawHttp.get(single.url() + "/socket.io/?EIO=4&transport=polling").statusCode() == 200);
            } catch (RuntimeException e) {
                // not answering in time: stopped here, the caller never gets it to close
                single.close();
                throw e;
            }
            if (single.process.isAlive()) {
                return single;
            }
            if (!single.lostItsPorts() || attempt == PORT_ATTEMPTS) {
                throw new AssertionError("the process exited with code " + single.process.exitValue()
                        + "; last 60 lines of its log (" + single.log + "):\n" + single.tail(60));
            }
        }
    }

    /**
     * A port nothing listens on, for a server a test starts. It is taken below the kernel's ephemeral range
     * ({@code net.ipv4.ip_local_port_range}): a port the kernel hands out (a {@code bind} to port 0) can be given again
     * to any outgoing connection, a database client's or Redis's, in the second before the server binds it, and then
     * the server cannot start. Below that range only servers bind, and this JVM hands each port out once (it walks
     * the range from a random start), so two servers of one test never get the same port either. Test JVMs that run
     * side by side (failsafe's forks, given {@code qsio.it.fork} and {@code qsio.it.forks}) each walk their own slice.
     */
    public static int freePort() {
        for (int tried = 0; tried < TEST_PORTS.count(); tried++) {
            int port = TEST_PORTS.next();
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // listened on, or lingering: the next one
            }
        }
        throw new IllegalStateException("no free port in " + TEST_PORTS);
    }

    private static final TestPorts TEST_PORTS = TestPorts.belowEphemeral();

    /**
     * The kernel's ephemeral port range, first and last. Read line by line: an integer sysctl answers only a read at
     * its start, so {@code Files.readString} (which reads one byte, then the rest from offset 1) would get its first
     * digit alone.
     */
    static int[] ephemeralRange() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).strip().split("\\s+");
        return new int[] { Integer.parseInt(f[0]), Integer.parseInt(f[1]) };
    }

    /** The ports {@link #freePort()} hands out: those just below the ephemeral range, walked from a random start. */
    record TestPorts(int first, int count, AtomicInteger cursor) {

        static TestPorts belowEphemeral() {
            int ephemeralStart = 32768;
            try {
                ephemeralStart = ephemeralRange()[0];
            } catch (IOException | RuntimeException unreadable) {
                // not Linux: Linux's default
            }
            int first = Math.max(10_000, ephemeralStart - 12_000);
            int count = ephemeralStart - first;
            if (count < 1_000) {
                // the ephemeral range starts too low to leave room below it: above it instead
                first = 61_000;
                count = 4_000;
            }
            // failsafe forks run side by side (qsio.it.forks of them, this one numbered qsio.it.fork from 1): each
            // hands out only its own slice of the range, so two forks never race for one port
            int forks = Integer.getInteger("qsio.it.forks", 1);
            int fork = Integer.getInteger("qsio.it.fork", 1);
            if (forks > 1 && fork >= 1 && fork <= forks) {
                int slice = count / forks;
                first += (fork - 1) * slice;
                count = slice;
            }
            return new TestPorts(first, count, new AtomicInteger(ThreadLocalRandom.current().nextInt(count)));
        }

        int next() {
            return first + Math.floorMod(cursor.getAndIncrement(), count);
        }

        @Override
        public String toString() {
            return "ports " + first + " to " + (first + count - 1);
        }
    }

    public String url() {
        return "http://" + address + ":" + port;
    }

    /** The address its listeners bind: 127.0.0.1, or the host's own in a network namespace. */
    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public String managementUrl() {
        return "http://" + address + ":" + managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** {@code GET /q/socketio/cluster} of the primary. */
    public JsonNode cluster() {
        return getJson("/q/socketio/cluster");
    }

    public JsonNode getJson(String path) {
        try {
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return ClientDriver.JSON.readTree(res.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status of a GET on the management interface, or -1 when it does not answer yet. */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + path)).timeout(Duration.ofSeconds(5)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The body of a GET on the management interface, as text. */
    public String text(String path) {
        return management("GET", path, null).body();
    }

    /** A request to the management interface; returns status and body. */
    public HttpResponse<String> management(String method, String path, String token) {
        return management(method, path, token, null);
    }

    /** A request with a JSON body to the management interface. */
    public HttpResponse<String> management(String method, String path, String token, String json) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(managementUrl() + path)).timeout(Duration.ofSeconds(60))
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                b.header("Content-Type", "application/json");
            }
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<JsonNode> workers() {
        List<JsonNode> list = new ArrayList<>();
        cluster().path("workers").forEach(list::add);
        return list;
    }

    public JsonNode worker(int id) {
        return workers().stream().filter(w -> w.path("id").asInt() == id).findFirst().orElse(null);
    }

    /** Waits until exactly {@code n} workers run and are ready. */
    public void awaitReady(int n) {
        awaitReady(n, Duration.ofSeconds(90));
    }

    /** Waits up to {@code bound} until exactly {@code n} workers run and are ready. */
    public void awaitReady(int n, Duration bound) {
        AtomicReference<Object> last = new AtomicReference<>("no answer from the cluster endpoint yet");
        try {
            Awaitility.await().atMost(bound).pollInterval(Duration.ofMillis(100))
                    .alias("cluster with " + n + " ready workers; log: " + log)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the primary exited with code " + process.exitValue());
                        }
                        List<JsonNode> w;
                        try {
                            w = workers();
                        } catch (RuntimeException e) {
                            last.set(e.toString());
                            return false;
                        }
                        last.set(w);
                        rememberDescendants();
                        return w.size() == n && w.stream().allMatch(x -> x.path("ready").asBoolean());
                    });
        } catch (RuntimeException e) {
            // what a CI log needs to tell a slow start from a crash loop or a dead primary, without the log file
            throw new AssertionError(e.getMessage() + "\nlast answer: " + last.get() + "\nlast 60 lines of the log:\n"
                    + tail(60), e);
        }
    }

    /**
     * Waits up to {@code bound} until every process answers 200 on its readiness probe. When one does not, the error
     * says for each whether it still runs, its last answer, and the end of its log: what a CI log needs to tell a slow
     * start from a process that lost its port or never reached its broker.
     */
    public static void awaitReadiness(Duration bound, ClusterProcess... processes) {
        try {
            Awaitility.await().atMost(bound).pollInterval(Duration.ofMillis(100))
                    .until(() -> Arrays.stream(processes).allMatch(p -> p.status("/q/health/ready") == 200));
        } catch (RuntimeException e) {
            StringBuilder why = new StringBuilder("not every process ready within " + bound.toSeconds() + " s");
            for (ClusterProcess p : processes) {
                why.append("\n--- ").append(p.log.getFileName()).append(": ");
                if (p.process.isAlive()) {
                    int status = p.status("/q/health/ready");
                    why.append("running, readiness ").append(status);
                    if (status > 0) {
                        try {
                            why.append(' ').append(p.management("GET", "/q/health/ready", null).body());
                        } catch (RuntimeException unanswered) {
                            why.append(" (its body: ").append(unanswered).append(')');
                        }
                    }
                } else {
                    why.append("exited with code ").append(p.process.exitValue());
                }
                why.append("; last 40 lines of its log:\n").append(p.tail(40));
            }
            throw new AssertionError(why.toString(), e);
        }
    }

    /** Records the processes the primary started, so that {@link #close()} can make sure they are gone. */
    public void rememberDescendants() {
        process.toHandle().descendants().forEach(h -> {
            if (seen.stream().noneMatch(s -> s.pid() == h.pid())) {
                seen.add(h);
            }
        });
    }

    public List<ProcessHandle> processesStarted() {
        rememberDescendants();
        return List.copyOf(seen);
    }

    /**
     * The local addresses ({@code ip:port}) of the TCP connections that process {@code pid} holds to {@code remotePort}
     * on this machine (from {@code ss}): how a test finds one worker's connections to Redis or PostgreSQL, to cut them
     * there.
     */
    public static List<String> connectionsTo(long pid, int remotePort) {
        try {
            Process ss = new ProcessBuilder("ss", "-tnpH", "state", "established", "( dport = :" + remotePort + " )")
                    .redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(5, TimeUnit.SECONDS);
            List<String> local = new ArrayList<>();
            for (String line : out.split("\n")) {
                // Recv-Q Send-Q Local:Port Peer:Port users:(("java",pid=N,fd=M))
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && line.contains("pid=" + pid + ",")) {
                    // a Java socket is dual-stack: ss shows an IPv4 address as mapped ([::ffff:127.0.0.1]:port)
                    local.add(f[2].startsWith("[::ffff:") ? f[2].substring(8).replace("]", "") : f[2]);
                }
            }
            return local;
        } catch (IOException e) {
            throw new IllegalStateException("ss failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a signal to any process. */
    public static void signal(long pid, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        rememberDescendants();
        if (process.isAlive()) {
            signal(process.pid(), "TERM");
            try {
                if (!process.waitFor(40, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        for (ProcessHandle h : seen) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }
}
