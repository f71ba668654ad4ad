package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.FrameSocket;

/**
 * Every input surface of a packaged cluster of 2 workers fuzzed from one seed, each case replayable: the handshake
 * (query, headers, cookies), polling bodies, WebSocket frames, Socket.IO packets with binary attachments, the Admin
 * UI's protocol, the management endpoints of the cluster, and the primary's bus port from a process without the
 * secret. Each case draws from a {@link Random} of its own, derived from the seed, its surface and its index, so that
 * a case runs the same alone as in the run; each is printed before it runs ({@code [surfaces] websocket#7 ...}).
 * <p>
 * Each case must get a protocol answer in time: an HTTP status below 500, a WebSocket close or an answer to the probe
 * that follows it on the same session (a CONNECT to a namespace of its own), a CONNECT_ERROR, a closed bus connection;
 * a hang (nothing within 10 s) or a 5xx fails. After each surface's batch, the invariant: the workers keep their
 * pids; the bystanders (the official Node client, WebSocket and polling, on both workers) were not disconnected and
 * each receives a broadcast; {@code fetchSockets} across the workers finds every bystander; the Admin UI lists every
 * bystander; the primary's {@code /q/metrics} scrape has the meters of both workers; and the cluster's log has no
 * line at ERROR and no stack trace, except one thrown by the application's own handlers (code in
 * {@code dev.qsio.it.features}, which the library logs by design).
 * <p>
 * The corpus, {@code src/test/resources/input-surfaces/corpus.txt}, runs first on every build: cases that once failed
 * and a few chosen ones, one per line, either {@code <surface> <seed> <index>} (generated again) or a literal request
 * ({@code raw-http <app|management> <request>}, which keeps its meaning when a generator changes). Then the random
 * cases. System properties:
 * <ul>
 * <li>{@code -Dsurfaces.seed=N} the seed (default {@value #DEFAULT_SEED}); a failure prints the seed and the case;</li>
 * <li>{@code -Dsurfaces.cases=N} cases per surface (default {@value #DEFAULT_CASES}: about 45 s for the test, the
 * cluster's start included, on 2 busy CPUs); a longer search: {@code bin/fuzz --surfaces 500 [--seed N]}, that is
 * {@code -Dsurfaces.cases=500} (a few minutes; the bus's cases take up to 5 s each, 8 at a time);
 * {@code -Dsurfaces.cases=0} runs the corpus alone;</li>
 * <li>{@code -Dsurfaces.only=websocket} or {@code -Dsurfaces.only=websocket:7} one surface, or one case (with the seed
 * the failure printed), to replay it; the corpus is skipped then.</li>
 * </ul>
 * What is left out on purpose: commands of the Admin UI and cluster control requests that would act on the bystanders
 * or the workers when valid (a disconnection of every socket, a rolling restart, a scale down) are sent with a room
 * no bystander is in, or with a wrong token; the features application's handlers that loop, sleep, allocate what
 * they are asked, or act on other sockets are not called (they do what they are written to do).
 */
class InputSurfacesFuzzIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final long DEFAULT_SEED = 4901;
    static final int DEFAULT_CASES = 30;
    static final long SEED = Long.getLong("surfaces.seed", DEFAULT_SEED);
    static final int CASES = Integer.getInteger("surfaces.cases", DEFAULT_CASES);
    static final String ONLY = System.getProperty("surfaces.only", "").trim();
    static final Path CORPUS = Path.of("src/test/resources/input-surfaces/corpus.txt");

    static final String TOKEN = "fuzz-control-token";
    /** The chat demo's public hash of the password {@code demo}. */
    static final String ADMIN_HASH = "$2a$10$TtIHvU5TYKIPUxzhP4PG.O84gLo6q7y6dcNH7hVAsneoW6b/i4AY2";
    /**
     * The probe after a case: a CONNECT to a namespace of its own (the features application's pattern
     * {@code /workspace-\d+}), answered whatever the case did to the session's other namespaces.
     */
    static final String PROBE = "40/workspace-424242,";
    static final String PROBE_ANSWER = "40/workspace-424242,";
    static final String PROBE_REFUSED = "44/workspace-424242,";
    static final Duration CASE_TIMEOUT = Duration.ofSeconds(10);

    enum Surface {
        HANDSHAKE, POLLING, WEBSOCKET, PACKETS, ADMIN, MANAGEMENT, BUS;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One generated input: what it is (printed before it runs) and how it runs; the outcome, or an AssertionError. */
    record Case(Surface surface, long seed, int index, String description, Callable<String> run) {
        String key() {
            return surface.key() + "#" + index + " (seed " + seed + ")";
        }

        String replay() {
            if (index < 0) {
                return "a literal line of " + CORPUS;
            }
            return "-Dsurfaces.seed=" + seed + " -Dsurfaces.only=" + surface.key() + ":" + index;
        }
    }

    ClusterProcess cluster;
    ClientDriver driver;
    String url;
    int port;
    int busPort;
    Map<Integer, Long> pids;
    /** Bystander client id to its socket id. */
    final Map<String, String> bystanders = new LinkedHashMap<>();
    String adminSession;
    int logOffset;
    int checks;
    final List<String> openSids = new ArrayList<>();

    @Test
    void everyInputSurfaceKeepsTheClusterWhole() throws Exception {
        long start = System.nanoTime();
        System.out.printf("[surfaces] seed %d, %d cases per surface%s%n", SEED, CASES,
                ONLY.isEmpty() ? "" : ", only " + ONLY);
        Map<String, String> props = new HashMap<>(ClusterProcess.DEFAULT_HEARTBEAT);
        props.put("quarkus.socketio.admin-ui.enabled", "true");
        props.put("quarkus.socketio.admin-ui.username", "admin");
        props.put("quarkus.socketio.admin-ui.password", ADMIN_HASH);
        props.put("quarkus.socketio.admin-ui.mode", "development");
        // the features application has a namespace /admin of its own
        props.put("quarkus.socketio.admin-ui.namespace", "/ui-admin");
        props.put("quarkus.socketio.cluster.control.enabled", "true");
        props.put("quarkus.socketio.cluster.control.token", TOKEN);
        // a scale request can only keep 2 workers or be refused: none of the generated ones replaces a worker
        props.put("quarkus.socketio.cluster.max-workers", "2");
        try (ClusterProcess c = ClusterProcess.launch(JAR, 2, props, "input-surfaces");
                ClientDriver d = ClientDriver.start()) {
            cluster = c;
            driver = d;
            cluster.awaitReady(2);
            url = cluster.url();
            port = cluster.port();
            Matcher bus = Pattern.compile("cluster bus on 127\\.0\\.0\\.1:(\\d+)").matcher(cluster.logText());
            assertThat(bus.find()).as("the primary logs its bus port").isTrue();
            busPort = Integer.parseInt(bus.group(1));
            pids = pids();
            connectBystanders();
            adminSession = adminLogin();
            checkInvariant("start");
            long ready = System.nanoTime();

            List<Case> corpus = ONLY.isEmpty() ? corpus() : List.of();
            if (!corpus.isEmpty()) {
                runBatch("corpus", corpus);
            }
            for (Surface s : Surface.values()) {
                List<Case> batch = new ArrayList<>();
                for (int i = 0; i < CASES; i++) {
                    if (selected(s, i)) {
                        batch.add(generate(s, SEED, i));
                    }
                }
                if (!batch.isEmpty()) {
                    runBatch(s.key(), batch);
                }
            }
            System.out.printf("[surfaces] done: cluster and bystanders ready in %d ms, cases and %d checks in %d ms%n",
                    (ready - start) / 1_000_000, checks, (System.nanoTime() - ready) / 1_000_000);
        }
    }

    static boolean selected(Surface s, int index) {
        if (ONLY.isEmpty()) {
            return true;
        }
        for (String one : ONLY.split(",")) {
            String[] parts = one.trim().split(":");
            if (parts[0].equalsIgnoreCase(s.key()) && (parts.length == 1 || Integer.parseInt(parts[1]) == index)) {
                return true;
            }
        }
        return false;
    }

    /** The corpus: {@code <surface> <seed> <index>} a line, {@code #} to the end of a line a comment. */
    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(CORPUS)) {
            String l = line.replaceAll("#.*", "").trim();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("raw-http ")) {
                cases.add(rawHttp(l.split("\\s+", 3)));
                continue;
            }
            String[] f = l.split("\\s+");
            cases.add(generate(Surface.valueOf(f[0].toUpperCase(Locale.ROOT)), Long.parseLong(f[1]),
                    Integer.parseInt(f[2])));
        }
        return cases;
    }

    /**
     * A literal HTTP request of the corpus, {@code raw-http <app|management> <request>}, as it is written on the
     * connection: {@code \\r\\n} for a line's end, {@code {c*n}} for the character c n times, a {@code Content-Length}
     * of {@code {auto}} for the length of the body. Its answer must be an HTTP status below 500.
     */
    static Case rawHttp(String[] f) {
        String text = f[2].replace("\\r\\n", "\r\n");
        Matcher m = Pattern.compile("\\{(.)\\*(\\d+)\\}").matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(b);
        String request = b.toString();
        int bodyAt = request.indexOf("\r\n\r\n") + 4;
        request = request.replace("Content-Length: {auto}", "Content-Length: " + (request.length() - bodyAt));
        String r = request;
        Surface surface = f[1].equals("management") ? Surface.MANAGEMENT : Surface.HANDSHAKE;
        return new Case(surface, SEED, -1, "raw request to the " + f[1] + " port: " + abbreviate(r), () -> {
            InputSurfacesFuzzIT t = current;
            String status = t.rawExchange(f[1].equals("management") ? t.cluster.managementPort() : t.port,
                    r.getBytes(StandardCharsets.UTF_8));
            assertThat(statusOf(status)).as("the answer (%s)", status).isNotEqualTo(-1).isLessThan(500);
            return status;
        });
    }

    void runBatch(String name, List<Case> batch) throws Exception {
        long t0 = System.nanoTime();
        List<Case> parallel = batch.stream().filter(c -> c.surface() == Surface.BUS).toList();
        for (Case c : batch) {
            if (c.surface() != Surface.BUS) {
                runOne(c, () -> c.run().call());
            }
        }
        if (!parallel.isEmpty()) {
            // a bus peer that does not authenticate is dropped after 5 s: those cases run side by side
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                Map<Case, Future<String>> running = new LinkedHashMap<>();
                for (Case c : parallel) {
                    System.out.printf("[surfaces] %s: %s%n", c.key(), c.description());
                    running.put(c, pool.submit(c.run()));
                }
                for (Map.Entry<Case, Future<String>> e : running.entrySet()) {
                    Case c = e.getKey();
                    runOne(c, () -> {
                        try {
                            return e.getValue().get(30, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException x) {
                            throw x.getCause() instanceof Exception ex ? ex : new IllegalStateException(x.getCause());
                        }
                    }, false);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        long t1 = System.nanoTime();
        checkInvariant("after " + name + " (" + batch.size() + " cases; " + batch.get(0).key() + " to "
                + batch.get(batch.size() - 1).key() + ")");
        System.out.printf("[surfaces] batch %s: %d cases in %d ms, invariant in %d ms%n", name, batch.size(),
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
    }

    void runOne(Case c, Callable<String> run) {
        runOne(c, run, true);
    }

    void runOne(Case c, Callable<String> run, boolean print) {
        if (print) {
            System.out.printf("[surfaces] %s: %s%n", c.key(), c.description());
        }
        String outcome;
        try {
            outcome = run.call();
        } catch (AssertionError | Exception e) {
            throw new AssertionError("case " + c.key() + " failed: " + e.getMessage() + "\n  input: " + c.description()
                    + "\n  replay: " + c.replay(), e);
        }
        System.out.printf("[surfaces]   -> %s%n", outcome);
    }

    // ---- the invariant

    Map<Integer, Long> pids() {
        Map<Integer, Long> p = new HashMap<>();
        for (JsonNode w : cluster.workers()) {
            p.put(w.path("id").asInt(), w.path("pid").asLong());
        }
        return p;
    }

    void connectBystanders() {
        Set<String> kinds = new HashSet<>();
        // the primary gives each new connection to a worker drawn at random: clients connect until both workers have
        // one of each transport. 24 tries were not always enough (all 12 WebSocket ones went to worker 1 once, one
        // chance in 2,048); 200 leave about one in 10^29
        for (int i = 0; i < 200 && kinds.size() < 4; i++) {
            String transport = i % 2 == 0 ? "websocket" : "polling";
            String id = "bystander-" + i;
            driver.connect(id, url, Map.of("transports", List.of(transport), "reconnection", false));
            String sid = driver.await(id, "connect").path("sid").asText();
            int worker = driver.call(id, 10_000, "whoami").get(0).asInt();
            if (kinds.add(worker + "/" + transport)) {
                driver.call(id, 10_000, "join", "bystanders");
                bystanders.put(id, sid);
            } else {
                driver.disconnect(id);
            }
        }
        assertThat(kinds).as("bystanders by worker and transport").hasSize(4);
    }

    void checkInvariant(String when) {
        checks++;
        assertThat(cluster.process().isAlive()).as("the primary is alive " + when).isTrue();
        assertThat(pids()).as("the workers and their pids " + when).isEqualTo(pids);
        for (String b : bystanders.keySet()) {
            assertThat(driver.events(b, "disconnect")).as("disconnections of bystander %s %s", b, when).isEmpty();
        }
        // a broadcast from a bystander of each worker reaches every bystander
        List<String> ids = new ArrayList<>(bystanders.keySet());
        for (String from : List.of(ids.get(0), ids.get(ids.size() - 1))) {
            String token = "inv-" + checks + "-" + from;
            driver.emit(from, "everyone", Map.of("token", token));
            for (String b : ids) {
                driver.await(e -> b.equals(e.path("id").asText()) && "everyone".equals(e.path("name").asText())
                        && token.equals(e.path("args").path(0).path("token").asText()), Duration.ofSeconds(15));
            }
        }
        // fetchSockets across the workers finds every bystander
        JsonNode found = driver.call(ids.get(0), 15_000, "fetch", "bystanders").get(0);
        List<String> fetched = new ArrayList<>();
        found.forEach(n -> fetched.add(n.asText()));
        assertThat(fetched).as("fetchSockets of the bystanders' room " + when)
                .containsExactlyInAnyOrderElementsOf(bystanders.values());
        // the Admin UI lists every bystander
        assertThat(adminListing()).as("the sockets the Admin UI lists " + when).containsAll(bystanders.values());
        // the primary's scrape has the meters of both workers
        HttpResponse<String> metrics = cluster.management("GET", "/q/metrics", null);
        assertThat(metrics.statusCode()).as("/q/metrics " + when).isEqualTo(200);
        for (int w : pids.keySet()) {
            assertThat(metrics.body()).as("the scrape " + when).containsPattern("socketio_\\w+\\{[^}]*worker=\"" + w + "\"");
        }
        checkLog(when);
    }

    /** No ERROR line and no stack trace in the cluster's log since the last check, but the application's own. */
    void checkLog(String when) {
        String text = cluster.logText();
        String fresh = text.substring(Math.min(logOffset, text.length()));
        logOffset = text.length();
        List<String> lines = List.of(fresh.split("\n"));
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean error = line.contains(" ERROR ");
            boolean traceStart = i + 1 < lines.size() && lines.get(i + 1).matches("\\s+at [\\w$.<>/]+\\(.*\\)\\s*");
            if (!error && !traceStart) {
                continue;
            }
            // the block: this line and its stack trace ("at", "Caused by", "...")
            StringBuilder block = new StringBuilder(line);
            int j = i + 1;
            while (j < lines.size() && (lines.get(j).matches("\\s+(at |\\.\\.\\.).*") || lines.get(j).startsWith("Caused by")
                    || lines.get(j).startsWith("\tSuppressed"))) {
                block.append('\n').append(lines.get(j));
                j++;
            }
            String b = block.toString();
            // the application's handlers failing on what they were given: logged by design, the first of a kind
            // with its stack trace, then a line every 10 s at most
            boolean application = b.contains("at dev.qsio.it.features.")
                    || b.contains("Socket.IO handler failures of a kind already logged");
            if (!application) {
                bad.add(b.length() > 3000 ? b.substring(0, 3000) + "..." : b);
            }
            i = j - 1;
        }
        assertThat(bad).as("ERROR lines and stack traces in the cluster's log " + when).isEmpty();
    }

    String adminLogin() throws IOException {
        try (FrameSocket s = wsConnected()) {
            s.sendText("40/ui-admin,{\"username\":\"admin\",\"password\":\"demo\"}");
            String session = nextText(s, t -> t.startsWith("42/ui-admin,[\"session\""));
            return ClientDriver.JSON.readTree(session.substring("42/ui-admin,".length())).get(1).asText();
        }
    }

    /** The socket ids in the Admin UI's {@code all_sockets}, for a UI logging in with its session. */
    List<String> adminListing() {
        try (FrameSocket s = wsConnected()) {
            s.sendText("40/ui-admin,{\"sessionId\":\"" + adminSession + "\"}");
            String all = nextText(s, t -> t.startsWith("42/ui-admin,[\"all_sockets\""));
            List<String> ids = new ArrayList<>();
            ClientDriver.JSON.readTree(all.substring("42/ui-admin,".length())).get(1)
                    .forEach(n -> ids.add(n.path("id").asText()));
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- helpers on the wire

    FrameSocket wsConnected() throws IOException {
        FrameSocket s = FrameSocket.open(port, "/socket.io/?EIO=4&transport=websocket", 0);
        s.readTimeout(CASE_TIMEOUT);
        s.nextTextStartingWith("0{");
        s.sendText("40");
        s.nextTextStartingWith("40{");
        return s;
    }

    /** The next text message that matches, answering pings; IOException when the connection closes first. */
    static String nextText(FrameSocket s, java.util.function.Predicate<String> match) throws IOException {
        while (true) {
            FrameSocket.Frame f = s.next();
            if (f.opcode() == FrameSocket.CLOSE) {
                throw new IOException("closed (" + f.closeCode() + ")");
            }
            if (f.opcode() == FrameSocket.TEXT) {
                if ("2".equals(f.text())) {
                    s.sendText("3");
                } else if (match.test(f.text())) {
                    return f.text();
                }
            }
        }
    }

    /**
     * The probe on a WebSocket session after a case: "alive" when it is answered, "closed ..." when the server closed
     * the session; a hang fails.
     */
    static String probe(FrameSocket s) {
        try {
            s.sendText(PROBE);
        } catch (IOException e) {
            return "closed (write failed: " + e.getMessage() + ")";
        }
        try {
            while (true) {
                FrameSocket.Frame f = s.next();
                if (f.opcode() == FrameSocket.CLOSE) {
                    return "closed " + f.closeCode();
                }
                if (f.opcode() == FrameSocket.TEXT) {
                    if ("2".equals(f.text())) {
                        s.sendText("3");
                    } else if (f.text().startsWith(PROBE_ANSWER) || f.text().startsWith(PROBE_REFUSED)) {
                        return "alive";
                    } else if (f.text().startsWith("1")) {
                        return "closed (Engine.IO close)";
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer to the probe and no close within " + CASE_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return "closed (" + e.getMessage() + ")";
        }
    }

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> http(String method, String uri, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String pollingUrl(String sid) {
        return url + "/socket.io/?EIO=4&transport=polling" + (sid == null ? "" : "&sid=" + sid);
    }

    /** A polling session connected to the main namespace; its sid. */
    String pollingSession() throws IOException {
        HttpResponse<String> open = http("GET", pollingUrl(null), null);
        assertThat(open.statusCode()).as("a polling handshake").isEqualTo(200);
        String sid = ClientDriver.JSON.readTree(open.body().substring(1)).get("sid").asText();
        assertThat(http("POST", pollingUrl(sid), "40".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        awaitPolled(sid, "40{");
        return sid;
    }

    /** GETs until a packet starting with {@code prefix} came; false when the session is gone. */
    boolean awaitPolled(String sid, String... prefixes) {
        long deadline = System.nanoTime() + CASE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http("GET", pollingUrl(sid), null);
            if (r.statusCode() != 200) {
                return false;
            }
            for (String p : r.body().split("\u001e")) {
                for (String prefix : prefixes) {
                    if (p.startsWith(prefix)) {
                        return true;
                    }
                }
                if (p.equals("2")) {
                    http("POST", pollingUrl(sid), "3".getBytes(StandardCharsets.UTF_8));
                }
                if (p.equals("1")) {
                    return false;
                }
            }
        }
        throw new AssertionError("no " + String.join(" or ", prefixes) + " polled within " + CASE_TIMEOUT.toSeconds() + " s");
    }

    String probePolling(String sid) {
        HttpResponse<String> r = http("POST", pollingUrl(sid), PROBE.getBytes(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            return "closed (probe POST " + r.statusCode() + ")";
        }
        return awaitPolled(sid, PROBE_ANSWER, PROBE_REFUSED) ? "alive" : "closed";
    }

    /**
     * One HTTP exchange on a connection of its own: the status line, "closed" when the server closed without
     * answering; a hang fails.
     */
    String rawExchange(int toPort, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", toPort), 5000);
            s.setSoTimeout((int) CASE_TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // a server that refused early closes while the rest is written: its answer may be there
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                int c;
                while ((c = in.read()) >= 0 && c != '\n') {
                    line.write(c);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer and no close within " + CASE_TIMEOUT.toSeconds() + " s (read: "
                        + line.toString(StandardCharsets.ISO_8859_1) + ")");
            } catch (IOException e) {
                // reset
            }
            String status = line.toString(StandardCharsets.ISO_8859_1).trim();
            return status.isEmpty() ? "closed" : status;
        }
    }

    static int statusOf(String statusLine) {
        Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(statusLine);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    // ---- the generators

    static Case generate(Surface s, long seed, int index) {
        Random r = new Random(mix(mix(seed) + 31 * mix(s.ordinal() + 1L) + index));
        Gen g = new Gen(r);
        return switch (s) {
            case HANDSHAKE -> handshake(s, seed, index, g);
            case POLLING -> polling(s, seed, index, g);
            case WEBSOCKET -> websocket(s, seed, index, g);
            case PACKETS -> packets(s, seed, index, g);
            case ADMIN -> admin(s, seed, index, g);
            case MANAGEMENT -> management(s, seed, index, g);
            case BUS -> bus(s, seed, index, g);
        };
    }

    /** A 64-bit finalizer (MurmurHash3's): neighbouring seeds and indexes give unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** The test instance that runs the cases (generation is static, so that a case depends on its seed alone). */
    static InputSurfacesFuzzIT current;

    {
        current = this;
    }

    // 1. the handshake

    static Case handshake(Surface s, long seed, int index, Gen g) {
        // a valid handshake (polling or WebSocket) with one to three of its parts made hostile
        Set<String> bad = new HashSet<>();
        for (int i = g.between(1, 3); i > 0; i--) {
            bad.add(g.pick("method", "path", "eio", "transport", "sid", "query", "host", "upgrade", "origin", "cookie",
                    "huge", "many", "odd"));
        }
        boolean ws = g.chance(0.5);
        String method = bad.contains("method") ? g.pick("POST", "PUT", "OPTIONS", "HEAD", "DELETE", "G\u00c9T", "CONNECT", "")
                : "GET";
        String path = bad.contains("path") ? g.pick("/socket.io", "/socket.io/x", "//socket.io/", "/socket.io/%ZZ",
                "/socket.io/../q/metrics", "/SOCKET.IO/", "/socket.io/;a", "*") : "/socket.io/";
        List<String> query = new ArrayList<>();
        String eio = bad.contains("eio") ? g.pick("3", "5", "", "garbage", "-1", "4abc", "99999999999999999999", null) : "4";
        if (eio != null) {
            query.add("EIO=" + eio);
        }
        String transport = bad.contains("transport") ? g.pick("unknown", "POLLING", "", "webtransport", null)
                : ws ? "websocket" : "polling";
        if (transport != null) {
            query.add("transport=" + transport);
        }
        String sidKind = bad.contains("sid") ? g.pick("garbage", "mutated", "own", "empty", "huge") : "none";
        if (bad.contains("query")) {
            query.add(g.pick("EIO=3", "transport=websocket", "sid=x", "j=0", "b64=1", "t=" + g.r.nextLong(), "EIO",
                    "x=" + "q".repeat(g.between(1000, 20_000)), "%", "a=%ZZ"));
        }
        List<String> headers = new ArrayList<>();
        if (!bad.contains("host") || g.chance(0.5)) {
            headers.add("Host: 127.0.0.1");
        }
        if (bad.contains("host")) {
            headers.add("Host: " + g.pick("a", "", "127.0.0.1:1", "\u00e9", "127.0.0.1"));
        }
        boolean upgrade = ws || bad.contains("upgrade");
        if (upgrade) {
            boolean hostile = bad.contains("upgrade");
            headers.add("Upgrade: " + (hostile && g.chance(0.3) ? g.pick("WebSocket", "h2c", "", "websocket, websocket")
                    : "websocket"));
            headers.add("Connection: " + (hostile && g.chance(0.3) ? g.pick("keep-alive, Upgrade", "close", "") : "Upgrade"));
            String key = hostile && g.chance(0.5) ? g.pick("", "short", "!!!!", null,
                    "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==") : "dGhlIHNhbXBsZSBub25jZQ==";
            if (key != null) {
                headers.add("Sec-WebSocket-Key: " + key);
                if (hostile && g.chance(0.2)) {
                    headers.add("Sec-WebSocket-Key: " + key);
                }
            }
            headers.add("Sec-WebSocket-Version: " + (hostile && g.chance(0.3) ? g.pick("8", "", "x", "99999999999") : "13"));
            if (hostile && g.chance(0.3)) {
                headers.add("Sec-WebSocket-Extensions: " + g.pick("permessage-deflate; client_max_window_bits=99",
                        "permessage-deflate; server_max_window_bits=7", "x-unknown", "permessage-deflate;;;"));
            }
        }
        if (bad.contains("origin")) {
            headers.add("Origin: " + g.pick("null", "http://evil.example", "file://", "http://\u00e9vil", "http://a:99999",
                    "x".repeat(9000), "http://127.0.0.1"));
            if (g.chance(0.3)) {
                headers.add("Origin: http://other.example");
            }
        }
        String cookieKind = bad.contains("cookie") ? g.pick("garbage", "io", "huge", "malformed") : "none";
        if (bad.contains("huge")) {
            headers.add("X-Huge: " + "h".repeat(g.between(4000, 70_000)));
        }
        if (bad.contains("many")) {
            for (int i = 0; i < g.between(50, 300); i++) {
                headers.add("X-Many-" + i + ": " + i);
            }
        }
        if (bad.contains("odd")) {
            headers.add(g.pick("Content-Length: -1", "Content-Length: 99999999999", "Transfer-Encoding: chunked",
                    "Transfer-Encoding: gzip, chunked", "Expect: 100-continue", "X-Forwarded-For: 1.2.3.4, garbage",
                    "Cf-Connecting-IP: \u00e9", "Bad Header: x", ": empty", "NoColon"));
        }
        if (!upgrade) {
            headers.add("Connection: close");
        }
        String body = "POST".equals(method) ? g.pick("", "40", "1:4", "garbage", "a=" + "f".repeat(5000)) : null;
        if (body != null && g.chance(0.5)) {
            headers.add("Content-Type: " + g.pick("application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
                    "text/plain"));
        }
        String desc = "hostile " + new java.util.TreeSet<>(bad) + ": " + method + " " + path + " query="
                + abbreviate(String.join("&", query)) + " sid=" + sidKind + " cookie=" + cookieKind + " headers=" + abbreviate(String.join(" | ", headers))
                + (body == null ? "" : " body=" + body);
        return new Case(s, seed, index, desc, () -> {
            InputSurfacesFuzzIT t = current;
            List<String> q = new ArrayList<>(query);
            String own = null;
            if (!"none".equals(sidKind)) {
                own = t.pollingSession();
                String sid = switch (sidKind) {
                    case "garbage" -> "zzzzzzzzzzzzzzzzzzzz";
                    case "mutated" -> own.substring(0, own.length() - 1) + (own.endsWith("A") ? "B" : "A");
                    case "empty" -> "";
                    case "huge" -> "s".repeat(5000);
                    default -> own;
                };
                q.add("sid=" + sid);
                // something to send: a GET that is a valid long poll of the session answers at once
                t.http("POST", t.pollingUrl(own), "421998[\"upper\",\"pending\"]".getBytes(StandardCharsets.UTF_8));
            }
            List<String> h = new ArrayList<>(headers);
            switch (cookieKind) {
                case "garbage" -> h.add("Cookie: io=\u0001\u0002; a=b");
                case "io" -> h.add("Cookie: io=" + (own != null ? own : "zzzz") + "; io=other");
                case "huge" -> h.add("Cookie: io=" + "c".repeat(20_000));
                case "malformed" -> h.add("Cookie: ;;;=;io;=\"unterminated");
                default -> {
                }
            }
            StringBuilder req = new StringBuilder(method).append(' ').append(path);
            if (!q.isEmpty()) {
                req.append('?').append(String.join("&", q));
            }
            req.append(" HTTP/1.1\r\n");
            h.forEach(x -> req.append(x).append("\r\n"));
            if (body != null) {
                req.append("Content-Length: ").append(body.length()).append("\r\n");
            }
            req.append("\r\n");
            if (body != null) {
                req.append(body);
            }
            // a body the head declares is sent, as HTTP says: the server waits for it otherwise
            boolean chunked = h.stream().anyMatch(x -> x.toLowerCase(Locale.ROOT).startsWith("transfer-encoding")
                    && x.toLowerCase(Locale.ROOT).contains("chunked"));
            if (chunked && body == null) {
                req.append("0\r\n\r\n");
            }
            String status;
            try {
                status = t.rawExchange(t.port, req.toString().getBytes(StandardCharsets.UTF_8));
            } catch (AssertionError e) {
                if (h.contains("Content-Length: 99999999999") && body == null) {
                    return "waits for the 99999999999 bytes of body its head announced (no answer is due before)";
                }
                throw e;
            }
            int code = statusOf(status);
            assertThat(code).as("the answer (%s)", status).isNotEqualTo(-1).isLessThan(500);
            String after = own == null ? "" : ", own session " + t.probePolling(own);
            return status + after;
        });
    }

    // 2. polling bodies

    static final List<String> ENGINE_PACKETS = List.of("40", "42[\"upper\",\"a\"]", "421[\"sum\",1,2]", "3", "6", "1", "2",
            "5", "4hello", "451-[\"reverse\",{\"_placeholder\":true,\"num\":0}]", "bAQID", "0", "42[\"rooms\"]");

    static Case polling(Surface s, long seed, int index, Gen g) {
        int kind = g.r.nextInt(10);
        byte[] body;
        String contentType = g.pick("text/plain;charset=UTF-8", "text/plain;charset=UTF-8", "application/octet-stream",
                "application/json", "", "text/plain;charset=ISO-8859-1", "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded");
        String what;
        switch (kind) {
            case 0 -> {
                String sep = g.pick("\u001e\u001e", "\u001e", "\n", ":", "\u0000");
                List<String> ps = new ArrayList<>();
                for (int i = 0; i < g.between(1, 4); i++) {
                    ps.add(g.pick(ENGINE_PACKETS));
                }
                String joined = String.join(sep, ps);
                joined = g.chance(0.5) ? sep + joined : joined + sep;
                body = joined.getBytes(StandardCharsets.UTF_8);
                what = "bad separators";
            }
            case 1 -> {
                body = ("b" + g.pick("@@@", "====", "AQ", "A", "", "AQID=", "AQ\u001eID", "%%", "\u00e9",
                        "A".repeat(g.between(1, 200_000)) + "!")).getBytes(StandardCharsets.UTF_8);
                what = "a 'b' packet with bad base64";
            }
            case 2 -> {
                body = new byte[0];
                what = "empty";
            }
            case 3 -> {
                body = ("4" + "y".repeat(g.pick(1_000_001, 1_000_100, 2_000_000, 999_000))).getBytes(StandardCharsets.UTF_8);
                what = "huge";
            }
            case 4 -> {
                body = (g.between(0, 30) + ":" + g.pick(ENGINE_PACKETS) + g.pick("", "5:42[]", "99999999999:4")).getBytes(
                        StandardCharsets.UTF_8);
                what = "Engine.IO 3 lengths";
            }
            case 5 -> {
                body = new byte[g.between(1, 64)];
                g.r.nextBytes(body);
                what = "random bytes";
            }
            case 6 -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes("42[\"upper\",\"".getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xC0, (byte) 0xAF });
                b.writeBytes("\"]".getBytes(StandardCharsets.US_ASCII));
                body = b.toByteArray();
                what = "invalid UTF-8";
            }
            default -> {
                List<String> ps = new ArrayList<>();
                for (int i = 0; i < g.between(1, 5); i++) {
                    ps.add(g.pick(ENGINE_PACKETS));
                }
                body = g.mutate(String.join("\u001e", ps)).getBytes(StandardCharsets.UTF_8);
                what = "mutated payload";
            }
        }
        String desc = what + ", content-type '" + contentType + "', " + body.length + " bytes: " + abbreviate(
                new String(body, StandardCharsets.UTF_8));
        return new Case(s, seed, index, desc, () -> {
            InputSurfacesFuzzIT t = current;
            String sid = t.pollingSession();
            HttpResponse<String> res;
            try {
                res = contentType.isEmpty() ? t.http("POST", t.pollingUrl(sid), body)
                        : t.http("POST", t.pollingUrl(sid), body, "Content-Type", contentType);
            } catch (UncheckedIOException e) {
                // a body over max-http-buffer-size is answered 413 and the connection closed while the client still
                // writes: the reset may reach the client before the answer does. The session must be gone then.
                assertThat(body.length).as("the size of a body whose answer was lost (%s)", e.getMessage())
                        .isGreaterThan(1_000_000);
                String probe = t.probePolling(sid);
                assertThat(probe).as("the session after a body over the limit").startsWith("closed");
                return "connection closed while the body was sent (" + e.getCause().getMessage() + "), session " + probe;
            }
            assertThat(res.statusCode()).as("the answer to the POST (%s)", res.body()).isLessThan(500);
            String probe = t.probePolling(sid);
            if (res.statusCode() == 400) {
                assertThat(probe).as("the session after a 400").startsWith("closed");
            }
            return "POST " + res.statusCode() + " " + abbreviate(res.body()) + ", session " + probe;
        });
    }

    // 3. WebSocket frames

    /** A frame to write: opcode with reserved bits, fin, payload; or raw bytes when {@code raw} is set. */
    record Frame(int first, boolean fin, byte[] payload, byte[] raw) {
        static Frame text(String t) {
            return new Frame(FrameSocket.TEXT, true, t.getBytes(StandardCharsets.UTF_8), null);
        }

        @Override
        public String toString() {
            if (raw != null) {
                return "raw[" + raw.length + "]" + abbreviate(hex(raw));
            }
            return String.format("op=0x%x fin=%s len=%d %s", first, fin, payload.length,
                    abbreviate(new String(payload, StandardCharsets.UTF_8)));
        }
    }

    static Case websocket(Surface s, long seed, int index, Gen g) {
        List<Frame> frames = new ArrayList<>();
        int n = g.between(1, 3);
        for (int i = 0; i < n; i++) {
            int kind = g.r.nextInt(12);
            switch (kind) {
                case 0 -> frames.add(Frame.text(g.mutate(g.pick(ENGINE_PACKETS))));
                case 1 -> {
                    byte[] b = new byte[g.between(0, 40)];
                    g.r.nextBytes(b);
                    frames.add(new Frame(FrameSocket.BINARY, true, b, null));
                }
                case 2 -> {
                    // continuation misuse
                    byte[] p = g.pick(ENGINE_PACKETS).getBytes(StandardCharsets.UTF_8);
                    switch (g.r.nextInt(4)) {
                        case 0 -> frames.add(new Frame(FrameSocket.CONTINUATION, true, p, null));
                        case 1 -> {
                            frames.add(new Frame(FrameSocket.TEXT, false, p, null));
                            frames.add(new Frame(FrameSocket.TEXT, true, p, null));
                        }
                        case 2 -> {
                            frames.add(new Frame(FrameSocket.TEXT, false, p, null));
                            frames.add(new Frame(FrameSocket.BINARY, true, p, null));
                        }
                        default -> {
                            frames.add(new Frame(FrameSocket.BINARY, false, p, null));
                            frames.add(new Frame(0x9, true, new byte[] { 1 }, null));
                            frames.add(new Frame(FrameSocket.CONTINUATION, true, p, null));
                        }
                    }
                }
                case 3 -> frames.add(new Frame(FrameSocket.TEXT | g.pick(0x10, 0x20, 0x40, 0x70), true,
                        "42[\"upper\",\"a\"]".getBytes(StandardCharsets.US_ASCII), null));
                case 4 -> frames.add(new Frame(g.pick(3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF), g.chance(0.8),
                        "x".getBytes(StandardCharsets.US_ASCII), null));
                case 5 -> frames.add(new Frame(0x9, g.chance(0.7), new byte[g.pick(0, 5, 125, 126, 1000)], null));
                case 6 -> frames.add(new Frame(0xA, true, new byte[g.pick(0, 3, 200)], null));
                case 7 -> {
                    byte[] p = switch (g.r.nextInt(5)) {
                        case 0 -> new byte[] { 0x03 };
                        case 1 -> new byte[] { 0x03, (byte) 0xE7 }; // 999
                        case 2 -> new byte[] { 0x13, (byte) 0x88 }; // 5000
                        case 3 -> new byte[] { 0x03, (byte) 0xE8, (byte) 0xC0, (byte) 0xAF }; // bad UTF-8 reason
                        default -> new byte[] { 0x03, (byte) 0xED }; // 1005, reserved
                    };
                    frames.add(new Frame(FrameSocket.CLOSE, true, p, null));
                }
                case 8 -> {
                    // unmasked, or a length the payload does not match, or a 64-bit length with its top bit set
                    byte[] p = "42[\"upper\",\"a\"]".getBytes(StandardCharsets.US_ASCII);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    switch (g.r.nextInt(3)) {
                        case 0 -> {
                            b.write(0x81);
                            b.write(p.length);
                            b.writeBytes(p);
                        }
                        case 1 -> {
                            b.write(0x81);
                            b.write(0x80 | 127);
                            b.writeBytes(new byte[] { (byte) 0x80, 0, 0, 0, 0, 0, 0, 1 });
                            b.writeBytes(new byte[] { 1, 2, 3, 4 });
                        }
                        default -> {
                            b.write(0x81);
                            b.write(0x80 | 127);
                            b.writeBytes(new byte[] { 0, 0, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff });
                            b.writeBytes(new byte[] { 1, 2, 3, 4 });
                        }
                    }
                    frames.add(new Frame(0, true, null, b.toByteArray()));
                }
                case 9 -> {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes("42[\"upper\",\"".getBytes(StandardCharsets.US_ASCII));
                    b.writeBytes(new byte[] { (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80 });
                    b.writeBytes("\"]".getBytes(StandardCharsets.US_ASCII));
                    frames.add(new Frame(FrameSocket.TEXT, true, b.toByteArray(), null));
                }
                case 10 -> frames.add(Frame.text(g.pick("5", "6", "1", "0", "2probe", "3probe", "4", "")));
                default -> frames.add(Frame.text(g.mutate(g.pick(ENGINE_PACKETS))));
            }
        }
        return new Case(s, seed, index, frames.toString(), () -> {
            InputSurfacesFuzzIT t = current;
            try (FrameSocket socket = t.wsConnected()) {
                try {
                    for (Frame f : frames) {
                        if (f.raw() != null) {
                            socket.sendRaw(f.raw());
                        } else {
                            socket.send(f.first(), f.fin(), f.payload());
                        }
                    }
                } catch (IOException e) {
                    return "closed while writing (" + e.getMessage() + ")";
                }
                return probe(socket);
            }
        });
    }

    // 4. Socket.IO packets

    /** Handlers of the features application that answer their caller and act on nothing else. */
    static final List<String> SAFE_EVENTS = List.of("upper", "sum", "record", "reverse", "later", "order", "rooms", "join",
            "leave", "fetch", "whoami", "where", "servers", "messages", "everyone-seen", "fetch-details", "kick",
            "close-me", "no-such-event", "", "connect", "disconnect", "__proto__", "error", "connect_error", "newListener");

    static Case packets(Surface s, long seed, int index, Gen g) {
        String type = g.chance(0.9) ? g.pick("2", "2", "2", "5", "5", "3", "6", "0", "1", "4") : g.pick("7", "9", "x", "", "-");
        boolean binary = type.equals("5") || type.equals("6");
        // an Engine.IO message (4) carrying the Socket.IO packet
        StringBuilder p = new StringBuilder("4").append(type);
        int attachments = g.pick(0, 1, 1, 2, 3, -1, 99_999, 1_000_000);
        if (binary) {
            p.append(g.chance(0.9) ? String.valueOf(attachments) : g.pick("x", "", "1e3", "00001", "99999999999999999999"))
                    .append(g.chance(0.9) ? "-" : g.pick("", "--", "+"));
        }
        String nsp = g.chance(0.75) ? "" : g.pick("/,", "/admin,", "/ui-admin,", "/nope,", "/workspace-1,", "/" + "n".repeat(3000) + ",",
                "/\u00e9vil,", "/", ",", "/,,", "/workspace-99999999999999999999,", "/tenant-x,");
        p.append(nsp);
        if (g.chance(0.3)) {
            p.append(g.chance(0.5) ? g.pick("1", "0", "7") : g.pick("1", "0", "-1", "999999999999999999999", "1e5", "007", "2147483648", "9007199254740993", " 1"));
        }
        if (type.equals("0") || type.equals("1") || type.equals("4")) {
            p.append(g.chance(0.5) ? g.json(3) : "");
        } else {
            List<String> args = new ArrayList<>();
            args.add(g.chance(0.9) ? "\"" + g.pick(SAFE_EVENTS) + "\"" : g.json(2));
            for (int i = 0; i < g.between(0, 3); i++) {
                args.add(binary && g.chance(0.6) ? g.placeholder(attachments) : g.json(4));
            }
            String payload = "[" + String.join(",", args) + "]";
            p.append(g.chance(0.9) ? payload : g.mutate(payload));
        }
        String text = g.chance(0.1) ? g.mutate(p.toString()) : p.toString();
        List<byte[]> binaries = new ArrayList<>();
        int sent = binary ? g.pick(0, 1, 2, Math.max(0, Math.min(attachments, 3))) : g.pick(0, 0, 0, 1);
        for (int i = 0; i < sent; i++) {
            byte[] b = new byte[g.between(0, 16)];
            g.r.nextBytes(b);
            binaries.add(b);
        }
        String desc = abbreviate(text) + " + " + binaries.size() + " binary frames";
        return new Case(s, seed, index, desc, () -> {
            InputSurfacesFuzzIT t = current;
            try (FrameSocket socket = t.wsConnected()) {
                try {
                    socket.sendText(text);
                    for (byte[] b : binaries) {
                        socket.send(FrameSocket.BINARY, true, b);
                    }
                } catch (IOException e) {
                    return "closed while writing (" + e.getMessage() + ")";
                }
                return probe(socket);
            }
        });
    }

    // 5. the Admin UI

    static Case admin(Surface s, long seed, int index, Gen g) {
        int kind = g.r.nextInt(10);
        String password = g.mutate("demo");
        // a mutation may leave the password as it was: then it is a valid login
        boolean valid = kind >= 6 || (kind == 0 && password.equals("demo"));
        // the valid session is known at run time: "$SESSION" stands for it
        String auth = switch (kind) {
            case 0 -> "{\"username\":\"admin\",\"password\":" + g.jsonString(password) + "}";
            case 1 -> "{\"sessionId\":\"$MUTATED\"}";
            case 2 -> "{\"sessionId\":" + g.json(2) + "}";
            case 3 -> g.json(3);
            case 4 -> "{\"username\":" + g.json(2) + ",\"password\":" + g.json(2) + "}";
            case 5 -> "{\"username\":\"admin\",\"password\":\"" + "p".repeat(g.pick(72, 1000, 100_000)) + "\"}";
            default -> "{\"sessionId\":\"$SESSION\"}";
        };
        List<String> commands = new ArrayList<>();
        if (kind >= 6) {
            for (int i = 0; i < g.between(1, 4); i++) {
                String event = g.pick("emit", "join", "leave", "_disconnect", "_disconnect", "", "session", "config",
                        "server_stats", "x".repeat(500));
                List<String> args = new ArrayList<>();
                int n = g.between(0, 5);
                for (int a = 0; a < n; a++) {
                    args.add(a == 0 && g.chance(0.8) ? g.jsonString(g.pick("/", "/admin", "/ui-admin", "/nope", "", "noslash", "/workspace-1",
                            "/" + "n".repeat(2000), "//", "/\u0000")) : g.json(3));
                }
                // what would act on the bystanders when valid is aimed at a room none of them is in
                if (List.of("emit", "join", "leave", "_disconnect").contains(event)) {
                    int filter = event.equals("emit") ? 1 : 2;
                    while (args.size() <= filter) {
                        args.add(g.json(1));
                    }
                    args.set(filter, "\"fuzz-room-" + g.between(0, 100) + "\"");
                }
                String packet = "42/ui-admin," + g.pick("", "", "7") + "[" + g.jsonString(event)
                        + (args.isEmpty() ? "" : "," + String.join(",", args)) + "]";
                commands.add(g.chance(0.15) ? g.mutate(packet) : packet);
            }
        }
        String desc = "auth " + abbreviate(auth) + (commands.isEmpty() ? "" : ", then " + abbreviate(commands.toString()));
        return new Case(s, seed, index, desc, () -> {
            InputSurfacesFuzzIT t = current;
            String session = t.adminSession;
            String mutated = session.substring(0, session.length() / 2) + (session.charAt(session.length() / 2) == 'A' ? 'B' : 'A')
                    + session.substring(session.length() / 2 + 1);
            String a = auth.replace("$SESSION", session).replace("$MUTATED", mutated);
            try (FrameSocket socket = t.wsConnected()) {
                String answer;
                try {
                    socket.sendText("40/ui-admin," + a);
                    answer = nextText(socket, x -> x.startsWith("40/ui-admin,") || x.startsWith("44/ui-admin,"));
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no answer to the CONNECT and no close within " + CASE_TIMEOUT.toSeconds() + " s");
                } catch (IOException e) {
                    return "closed (" + e.getMessage() + ")";
                }
                if (answer.startsWith("44/ui-admin,")) {
                    assertThat(commands).as("commands of a refused UI").isEmpty();
                    return "refused " + abbreviate(answer) + ", session " + probe(socket);
                }
                assertThat(valid).as("logged in with %s", abbreviate(a)).isTrue();
                try {
                    for (String c : commands) {
                        socket.sendText(c);
                    }
                } catch (IOException e) {
                    return "logged in, closed while writing (" + e.getMessage() + ")";
                }
                return "logged in, session " + probe(socket);
            }
        });
    }

    // 6. the management endpoints

    static Case management(Surface s, long seed, int index, Gen g) {
        String method = g.chance(0.7) ? "POST" : g.pick("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO");
        String action = g.pick("scale", "scale", "scale", "rolling-restart", "message", "message", "", "unknown",
                "scale/x", "..%2Fscale", "%73cale", "SCALE", "message/");
        String path = g.chance(0.9) ? "/q/socketio/cluster" + (action.isEmpty() ? "" : "/" + action)
                : g.pick("/q/socketio/cluster/../cluster/scale", "//q/socketio/cluster/scale", "/q/metrics",
                        "/q/health/ready", "/q/socketio/admin/" + g.pick("", "..%2F..%2Fetc%2Fpasswd", "index.html?x=%00",
                                "x".repeat(5000)), "/q/socketio/cluster;x=1/scale");
        List<String> params = new ArrayList<>();
        for (int i = 0; i < g.between(0, 3); i++) {
            params.add(g.pick("to", "up", "down", "to", "x", "") + "=" + URLEncoder.encode(g.pick("-1", "-2147483648",
                    "2147483648", "99999999999999999999", "abc", "", "1e3", "0x10", " 2", "\uff12", "3", "0", "1", "2",
                    "2", "+2", "02", "-0", "\u0000"), StandardCharsets.UTF_8));
        }
        String token = g.pick("valid", "valid", "valid", "none", "wrong", "empty", "lower", "huge", "basic");
        String body = g.pick(null, null, "", "{}", "{\"worker\":1,\"data\":{\"x\":1}}", "{\"worker\":99,\"data\":1}",
                "{\"worker\":\"abc\"}", "{\"data\":null}", "[1,2]", "garbage", "{\"worker\":" + "[".repeat(3000) + "]".repeat(3000)
                        + "}",
                "{\"data\":\"" + "d".repeat(g.pick(10, 100_000)) + "\"}", "{\"worker\":-1,\"data\":1}",
                "{\"worker\":1e400,\"data\":1}");
        if (body != null && g.chance(0.3)) {
            body = g.mutate(body);
        }
        String contentType = g.pick("application/json", "application/json", "text/plain", "", "application/x-www-form-urlencoded");
        String query = params.isEmpty() ? "" : "?" + String.join("&", params);
        String b = body;
        String desc = method + " " + abbreviate(path + query) + " token=" + token + " content-type=" + contentType + " body="
                + (body == null ? "none" : abbreviate(body));
        return new Case(s, seed, index, desc, () -> {
            InputSurfacesFuzzIT t = current;
            String tok = token;
            String note = "";
            if ("valid".equals(tok) && method.equals("POST") && actsOnWorkers(path, params)) {
                // valid, it would replace or stop a worker: the same request with a wrong token instead
                tok = "wrong";
                note = " (valid: sent with a wrong token)";
            }
            List<String> headers = new ArrayList<>();
            switch (tok) {
                case "valid" -> headers.addAll(List.of("Authorization", "Bearer " + TOKEN));
                case "wrong" -> headers.addAll(List.of("Authorization", "Bearer nope"));
                case "empty" -> headers.addAll(List.of("Authorization", "Bearer "));
                case "lower" -> headers.addAll(List.of("Authorization", "bearer " + TOKEN));
                case "huge" -> headers.addAll(List.of("Authorization", "Bearer " + "t".repeat(6000)));
                case "basic" -> headers.addAll(List.of("Authorization", "Basic YWRtaW46ZGVtbw=="));
                default -> {
                }
            }
            if (!contentType.isEmpty()) {
                headers.addAll(List.of("Content-Type", contentType));
            }
            HttpResponse<String> res;
            try {
                res = t.http(method, t.cluster.managementUrl() + path + query, b == null ? null
                        : b.getBytes(StandardCharsets.UTF_8), headers.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                return "not sent: the JDK's client refuses it (" + e.getMessage() + ")";
            }
            assertThat(res.statusCode()).as("the answer (%s)", abbreviate(res.body())).isLessThan(500);
            return res.statusCode() + " " + abbreviate(res.body()) + note;
        });
    }

    /**
     * Whether a control request with the valid token would change the workers: a rolling restart, or a scale to a
     * number of workers other than 2 that max-workers allows (0 or 1), as the endpoint reads its parameters.
     */
    static boolean actsOnWorkers(String path, List<String> params) {
        String decoded = java.net.URLDecoder.decode(path, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        if (decoded.contains("rolling")) {
            return true;
        }
        if (!decoded.contains("scale")) {
            return false;
        }
        Map<String, String> first = new LinkedHashMap<>();
        for (String p : params) {
            String[] kv = p.split("=", 2);
            first.putIfAbsent(kv[0], java.net.URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        try {
            int target;
            if (first.containsKey("to")) {
                target = Integer.parseInt(first.get("to"));
            } else if (first.containsKey("up")) {
                target = 2 + Integer.parseInt(first.get("up"));
            } else if (first.containsKey("down")) {
                target = Math.max(0, 2 - Integer.parseInt(first.get("down")));
            } else {
                return false;
            }
            return target != 2 && target >= 0 && target <= 2;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // 7. the bus

    static Case bus(Surface s, long seed, int index, Gen g) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int kind = g.r.nextInt(8);
        String what;
        switch (kind) {
            case 0 -> {
                byte[] b = new byte[g.between(1, 64)];
                g.r.nextBytes(b);
                out.writeBytes(b);
                what = "random bytes";
            }
            case 1, 2 -> {
                // a HELLO without the secret: a secret of its own, or a declared length that lies
                byte[] secret = new byte[g.pick(0, 16, 32, 64)];
                g.r.nextBytes(secret);
                ByteBuffer body = ByteBuffer.allocate(1 + 4 + 4 + 8 + 4 + secret.length);
                body.put((byte) 1).putInt(g.pick(1, 2, 3, 0, -1, Integer.MAX_VALUE)).putInt(g.pick(1, 2, 7, -1))
                        .putLong(g.r.nextLong()).putInt(kind == 1 ? secret.length : g.pick(-1, Integer.MAX_VALUE,
                                secret.length + 1, 4096, Integer.MIN_VALUE)).put(secret);
                byte[] frame = body.array();
                if (g.chance(0.3)) {
                    frame = java.util.Arrays.copyOf(frame, g.between(1, frame.length));
                }
                out.writeBytes(ByteBuffer.allocate(4).putInt(frame.length).array());
                out.writeBytes(frame);
                what = "a HELLO with a wrong secret";
            }
            case 3 -> {
                out.writeBytes(ByteBuffer.allocate(4).putInt(g.pick(0, -1, 4097, Integer.MAX_VALUE, Integer.MIN_VALUE))
                        .array());
                out.writeBytes(new byte[] { 1, 2, 3 });
                what = "a bad frame length";
            }
            case 4 -> {
                // a frame of another kind before any HELLO
                byte[] body = new byte[g.between(0, 30)];
                g.r.nextBytes(body);
                out.writeBytes(ByteBuffer.allocate(5).putInt(body.length + 1).put((byte) (int) g.pick(2, 3, 4, 5, 6, 7, 0, 99)).array());
                out.writeBytes(body);
                what = "a frame before HELLO";
            }
            case 5 -> {
                out.writeBytes(ByteBuffer.allocate(4).putInt(g.between(10, 4000)).array());
                out.writeBytes(new byte[] { 1, 0, 0 });
                what = "a partial frame, then silence";
            }
            case 6 -> {
                out.writeBytes(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                what = "an HTTP request";
            }
            default -> what = "nothing at all";
        }
        byte[] bytes = out.toByteArray();
        return new Case(s, seed, index, what + ": " + abbreviate(hex(bytes)), () -> {
            InputSurfacesFuzzIT t = current;
            long t0 = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", t.busPort), 5000);
                socket.setSoTimeout(12_000);
                try {
                    socket.getOutputStream().write(bytes);
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    return "closed while writing";
                }
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                try {
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        got.write(buf, 0, n);
                        assertThat(got.size()).as("what the relay sends a peer without the secret").isLessThan(64);
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the bus kept a peer without the secret for 12 s");
                } catch (IOException e) {
                    // reset
                }
                byte[] answer = got.toByteArray();
                // the only frame a refused peer may get: REFUSED (kind 7)
                if (answer.length > 0) {
                    assertThat(answer.length).isGreaterThanOrEqualTo(5);
                    assertThat(answer[4]).as("the kind of the relay's answer").isEqualTo((byte) 7);
                }
                return "closed after " + (System.nanoTime() - t0) / 1_000_000 + " ms" + (answer.length > 0
                        ? " with REFUSED" : "");
            }
        });
    }

    // ---- the random values

    static final class Gen {
        final Random r;

        Gen(Random r) {
            this.r = r;
        }

        boolean chance(double p) {
            return r.nextDouble() < p;
        }

        int between(int lo, int hi) {
            return lo + r.nextInt(hi - lo + 1);
        }

        @SafeVarargs
        final <T> T pick(T... xs) {
            return xs[r.nextInt(xs.length)];
        }

        <T> T pick(List<T> xs) {
            return xs.get(r.nextInt(xs.size()));
        }

        static final String[] INTERESTING = { "", "\u0000", "\u001e", ":", ",", "[", "]", "{", "}", "\"", "\\", "-", "0",
                "-1", "1e400", "9223372036854775808", "99999999999999999999999", "NaN", "null", "true", "\ud800", "\uffff",
                "\u00e9", "\r\n", "%", "%00", "b", "4", "42", "/", "_placeholder", "{\"_placeholder\":true,\"num\":0}",
                "\\u0000", "\\ud800" };

        /** One to three edits of {@code s}: insertions, deletions, duplications, truncation, a long run. */
        String mutate(String s) {
            StringBuilder b = new StringBuilder(s);
            int edits = between(1, 3);
            for (int e = 0; e < edits; e++) {
                int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
                switch (r.nextInt(7)) {
                    case 0 -> b.insert(at, pick(INTERESTING));
                    case 1 -> {
                        if (b.length() > 0) {
                            int from = Math.min(at, b.length() - 1);
                            b.delete(from, Math.min(b.length(), from + between(1, 4)));
                        }
                    }
                    case 2 -> {
                        if (b.length() > 0) {
                            b.setCharAt(Math.min(at, b.length() - 1), (char) r.nextInt(0x80));
                        }
                    }
                    case 3 -> {
                        if (b.length() > 0) {
                            int from = Math.min(at, b.length() - 1);
                            int to = Math.min(b.length(), from + between(1, 8));
                            b.insert(from, b.substring(from, to));
                        }
                    }
                    case 4 -> b.setLength(Math.min(b.length(), at));
                    case 5 -> {
                        if (chance(0.3)) {
                            b.insert(at, String.valueOf(pick('x', '[', '{', '"', '9')).repeat(between(100, 20_000)));
                        } else {
                            b.insert(at, pick(INTERESTING));
                        }
                    }
                    default -> b.insert(at, (char) between(0x20, 0x7e));
                }
            }
            return b.toString();
        }

        String jsonString(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.append('"').toString();
        }

        /** A JSON value, well formed, with the odd values a decoder meets. */
        String json(int depth) {
            int k = r.nextInt(depth <= 0 ? 6 : 9);
            return switch (k) {
                case 0 -> pick("0", "-0", "1", "-1", "1e400", "-1e400", "1.5e-400", "9007199254740993",
                        "99999999999999999999999999", "2147483648", "-2147483649", "0.1", "1E2");
                case 1 -> jsonString(pick("", "a", "\u00e9", "\ud83d\ude00", "x".repeat(between(1, 3000)), "probe",
                        "bystanders"));
                case 2 -> pick("\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"a\\u001eb\"");
                case 3 -> pick("true", "false", "null");
                case 4 -> "{\"_placeholder\":true,\"num\":" + pick("0", "-1", "1", "99", "1e10", "\"0\"", "null", "0.5") + "}";
                case 5 -> "{}";
                case 6 -> {
                    List<String> xs = new ArrayList<>();
                    for (int i = 0; i < between(0, 3); i++) {
                        xs.add(json(depth - 1));
                    }
                    yield "[" + String.join(",", xs) + "]";
                }
                case 7 -> {
                    List<String> xs = new ArrayList<>();
                    for (int i = 0; i < between(0, 3); i++) {
                        xs.add(jsonString(pick("a", "text", "tags", "_placeholder", "num", "__proto__", "room", "")) + ":"
                                + json(depth - 1));
                    }
                    yield "{" + String.join(",", xs) + "}";
                }
                default -> {
                    int n = pick(10, 200, 900, 1500);
                    yield "[".repeat(n) + "]".repeat(n);
                }
            };
        }

        /** A placeholder for an attachment, in range or out of it, bare or nested. */
        String placeholder(int attachments) {
            String num = pick("0", "1", String.valueOf(Math.max(0, attachments - 1)), String.valueOf(attachments), "-1",
                    "99999999999", "\"0\"", "0.0", "null");
            String p = "{\"_placeholder\":" + pick("true", "true", "\"true\"", "1") + ",\"num\":" + num + "}";
            return switch (r.nextInt(4)) {
                case 0 -> "{\"nested\":[" + p + "," + p + "]}";
                case 1 -> "[[" + p + "]]";
                default -> p;
            };
        }
    }

    static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "\u00b7");
        return clean.length() <= 160 ? clean : clean.substring(0, 120) + "...(" + clean.length() + " chars)..."
                + clean.substring(clean.length() - 20);
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b, 0, Math.min(b.length, 200));
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
