package dev.qsio.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs {@code integration-tests/clients/driver.mjs}: real {@code engine.io-client} and {@code socket.io-client}
 * instances in one Node process, commanded with JSON lines. Every client event is recorded and can be awaited.
 */
public final class ClientDriver implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final OutputStream stdin;
    private final List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
    private final Set<JsonNode> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread reader;

    private ClientDriver(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = new Thread(this::read, "client-driver-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts the driver; waits until it is ready. */
    public static ClientDriver start() {
        return start(Map.of());
    }

    /**
     * Starts the driver with more environment variables (for example {@code NODE_EXTRA_CA_CERTS}, the way a Node user
     * trusts a private certificate authority without changing the client's options); waits until it is ready.
     */
    public static ClientDriver start(Map<String, String> env) {
        Path dir = clientsDir();
        try {
            ProcessBuilder pb = new ProcessBuilder("node", dir.resolve("driver.mjs").toString())
                    .directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(env);
            Process p = pb.start();
            ClientDriver driver = new ClientDriver(p);
            driver.await(e -> "ready".equals(e.path("event").asText()));
            return driver;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start node: is Node.js installed?", e);
        }
    }

    /** The folder of the Node clients, found from the working directory of the test. */
    public static Path clientsDir() {
        String configured = System.getProperty("qsio.clients.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("integration-tests/clients");
            if (Files.isRegularFile(candidate.resolve("driver.mjs"))) {
                return candidate;
            }
            if (Files.isRegularFile(dir.resolve("clients/driver.mjs"))) {
                return dir.resolve("clients");
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("integration-tests/clients not found above " + Path.of("").toAbsolutePath());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException e) {
                    events.add(JSON.createObjectNode().put("event", "driver_output").put("text", line));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** The process id of the Node process, to pause it with signals in fault tests. */
    public long pid() {
        return process.pid();
    }

    /** Sends a signal (for example {@code STOP} or {@code CONT}) to the Node process. */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends one command. */
    public synchronized void send(ObjectNode command) {
        try {
            stdin.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("client driver is gone", e);
        }
    }

    public ObjectNode command(String op, String id) {
        return JSON.createObjectNode().put("op", op).put("id", id);
    }

    /** Opens an engine.io-client socket. */
    public void engineOpen(String id, String url, Map<String, Object> opts) {
        ObjectNode c = command("eio.open", id).put("url", url);
        c.set("opts", JSON.valueToTree(opts));
        send(c);
    }

    public void engineSend(String id, String text) {
        send(command("eio.send", id).put("data", text));
    }

    public void engineSendBinary(String id, byte[] data) {
        send(command("eio.send", id).put("data", java.util.Base64.getEncoder().encodeToString(data)).put("binary", true));
    }

    public void engineClose(String id) {
        send(command("eio.close", id));
    }

    /**
     * Connects a socket.io-client socket; {@code replies} answers server emits that ask for an ack, by event: the
     * arguments of the answer, {@code ["$none"]} for no answer, or {@code ["$disconnect"]} to disconnect on receiving
     * the event without answering.
     */
    public void connect(String id, String url, Map<String, Object> opts, Map<String, List<Object>> replies) {
        ObjectNode c = command("sio.connect", id).put("url", url);
        c.set("opts", JSON.valueToTree(opts));
        if (replies != null) {
            c.set("replies", JSON.valueToTree(replies));
        }
        send(c);
    }

    /** Connects a client that checks the order of a numbered event ({@code [origin, seq]}) instead of reporting each. */
    public void connectTracking(String id, String url, Map<String, Object> opts, String event) {
        connectTracking(id, url, opts, event, null);
    }

    /** {@link #connectTracking(String, String, Map, String)} with answers to server emits that ask for an ack. */
    public void connectTracking(String id, String url, Map<String, Object> opts, String event,
            Map<String, List<Object>> replies) {
        ObjectNode c = command("sio.connect", id).put("url", url).put("track", event);
        c.set("opts", JSON.valueToTree(opts));
        if (replies != null) {
            c.set("replies", JSON.valueToTree(replies));
        }
        send(c);
    }

    /** The tracking summary of a client: origins with count, last, outOfOrder, duplicates. */
    public JsonNode report(String id) {
        send(command("sio.report", id));
        return await(id, "report");
    }

    public void connect(String id, String url, Map<String, Object> opts) {
        connect(id, url, opts, null);
    }

    public void emit(String id, String event, Object... args) {
        ObjectNode c = command("sio.emit", id).put("event", event);
        // Arrays.asList: an argument may be null
        c.set("args", JSON.valueToTree(java.util.Arrays.asList(args)));
        send(c);
    }

    /** Emits with an ack; the answer arrives as an {@code ack} event with the given ref. */
    public void emitWithAck(String id, String ref, long timeoutMs, String event, Object... args) {
        ObjectNode c = command("sio.emit", id).put("event", event).put("ack", true).put("ref", ref);
        if (timeoutMs > 0) {
            c.put("timeout", timeoutMs);
        }
        c.set("args", JSON.valueToTree(List.of(args)));
        send(c);
    }

    /** Emits with an ack callback that reports every argument of the answer (not only the first). */
    public void emitWithRawAck(String id, String ref, String event, Object... args) {
        ObjectNode c = command("sio.emitRawAck", id).put("event", event).put("ref", ref);
        c.set("args", JSON.valueToTree(List.of(args)));
        send(c);
    }

    /**
     * Emits an event with an acknowledgement and returns the answer's arguments; fails if the answer is an error or
     * does not come within {@code timeoutMs}.
     */
    public JsonNode call(String id, long timeoutMs, String event, Object... args) {
        String ref = event + "-" + System.nanoTime();
        emitWithAck(id, ref, timeoutMs, event, args);
        JsonNode answer = awaitAck(id, ref);
        if (answer.has("error")) {
            // what the client went through, to tell a lost connection from a refused event
            throw new AssertionError("the ack of " + event + " from " + id + " is an error: " + answer + "; the client's "
                    + "connections, disconnections and errors: " + events(e -> id.equals(e.path("id").asText())
                            && List.of("connect", "disconnect", "connect_error", "upgrade").contains(
                                    e.path("event").asText())));
        }
        return answer.get("args");
    }

    /**
     * {@link #call} for many clients at once: every emit goes out before the first answer is awaited, so that the
     * round trips overlap. The answers' {@code args}, by client; an error answer fails as in {@link #call}.
     */
    public Map<String, JsonNode> callAll(List<String> ids, long timeoutMs, String event, Object... args) {
        String ref = event + "-" + System.nanoTime();
        for (String id : ids) {
            emitWithAck(id, ref, timeoutMs, event, args);
        }
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        for (String id : ids) {
            JsonNode answer = awaitAck(id, ref);
            if (answer.has("error")) {
                throw new AssertionError("the ack of " + event + " from " + id + " is an error: " + answer);
            }
            answers.put(id, answer.get("args"));
        }
        return answers;
    }

    /** How many times a client received an event from the server. */
    public long received(String id, String event) {
        return events(e -> id.equals(e.path("id").asText()) && event.equals(e.path("name").asText())).size();
    }

    /**
     * Waits until each of {@code clients} has received {@code event} once more per sender than before, each sender
     * emitting it once with {@code payload}, for an application that broadcasts that event to everyone. What one client
     * emits reaches every other client in order, so once the fences are in, no earlier copy is still on its way and a
     * count read then is final: a quiet wait of a few hundred milliseconds proves nothing on a loaded machine.
     */
    public void fence(List<String> clients, String event, Object payload, String... senders) {
        Map<String, Long> before = new LinkedHashMap<>();
        for (String id : clients) {
            before.put(id, received(id, event));
        }
        for (String s : senders) {
            emit(s, event, payload);
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> clients.stream()
                .allMatch(id -> received(id, event) >= before.get(id) + senders.length));
    }

    /** Closes a client's connection as a network failure would; the client reconnects by itself. */
    public void dropTransport(String id) {
        send(command("sio.dropTransport", id));
    }

    /** Sends the client's next reconnection to another server (as a load balancer or DNS would). */
    public void retarget(String id, String url) {
        send(command("sio.retarget", id).put("url", url));
    }

    public void disconnect(String id) {
        send(command("sio.disconnect", id));
    }

    /** The client connects again after it disconnected ({@code socket.connect()}). */
    public void connectAgain(String id) {
        send(command("sio.connectAgain", id));
    }

    /** Writes a raw Engine.IO message on the client's connection, under the Socket.IO client ({@code engine.write}). */
    public void engineWrite(String id, String data) {
        send(command("sio.engineWrite", id).put("data", data));
    }

    /** Binary for a command argument. */
    public static Map<String, String> bin(byte[] data) {
        return Map.of("$bin", java.util.Base64.getEncoder().encodeToString(data));
    }

    public static byte[] unbin(JsonNode node) {
        return java.util.Base64.getDecoder().decode(node.path("$bin").asText());
    }

    /** Waits for the first not yet awaited event matching the predicate, and returns it. */
    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, TIMEOUT);
    }

    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        return await(match, timeout, null);
    }

    /**
     * Waits for the first not yet awaited event matching the predicate; when it does not come, the failure gives the
     * last events of client {@code id} (or of all clients when null) as they were at the timeout.
     */
    private JsonNode await(Predicate<JsonNode> match, Duration timeout, String id) {
        JsonNode[] found = new JsonNode[1];
        try {
            Awaitility.await().atMost(timeout).pollInterval(5, TimeUnit.MILLISECONDS).until(() -> {
                // the reader ends once the Node process has ended and its last line is read: nothing more can come
                boolean ended = !reader.isAlive();
                if ((found[0] = take(match)) != null) {
                    return true;
                }
                if (ended) {
                    // its output closed: its exit follows
                    boolean exited = process.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError("the Node driver (driver.mjs) has exited"
                            + (exited ? " with code " + process.exitValue() : "")
                            + " before the event awaited; its errors are above (a missing package: the test-support"
                            + " module's build runs npm ci in integration-tests/clients); last events: " + tail(id));
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no matching client event within " + timeout.toMillis() + " ms; "
                    + (id == null ? "last events: " + tail(null) : "last events of " + id + ": " + tail(id)), e);
        }
        return found[0];
    }

    /** Waits for the next event of a kind from a client. */
    public JsonNode await(String id, String event) {
        return await(e -> id.equals(e.path("id").asText()) && event.equals(e.path("event").asText()), TIMEOUT, id);
    }

    /** Waits for an event the server emitted to a client, by name. */
    public JsonNode awaitEmit(String id, String name) {
        return await(e -> id.equals(e.path("id").asText()) && "event".equals(e.path("event").asText())
                && name.equals(e.path("name").asText()), TIMEOUT, id);
    }

    /** Waits for the ack answer with a ref. */
    public JsonNode awaitAck(String id, String ref) {
        return await(e -> id.equals(e.path("id").asText()) && "ack".equals(e.path("event").asText())
                && ref.equals(e.path("ref").asText()), TIMEOUT, id);
    }

    private JsonNode take(Predicate<JsonNode> match) {
        synchronized (events) {
            for (JsonNode e : events) {
                if (!taken.contains(e) && match.test(e)) {
                    taken.add(e);
                    return e;
                }
            }
            return null;
        }
    }

    /** All events so far that match (awaited or not). */
    public List<JsonNode> events(Predicate<JsonNode> match) {
        synchronized (events) {
            return events.stream().filter(match).toList();
        }
    }

    /** The events named {@code name} that the server emitted to a client so far, in their order. */
    public List<JsonNode> emits(String id, String name) {
        return events(e -> id.equals(e.path("id").asText()) && "event".equals(e.path("event").asText())
                && name.equals(e.path("name").asText()));
    }

    public List<JsonNode> events(String id, String event) {
        return events(e -> id.equals(e.path("id").asText()) && event.equals(e.path("event").asText()));
    }

    /**
     * Whether a client is connected now: its last {@code connect} or {@code disconnect} event is a connect. Counting
     * them does not tell: socket.io-client emits {@code disconnect} also when the connection it was opening fails
     * before its CONNECT was answered (a proxy's 502 for a dead host, for example), without a {@code connect} before.
     */
    public boolean connectedNow(String id) {
        List<JsonNode> lifecycle = events(e -> id.equals(e.path("id").asText())
                && ("connect".equals(e.path("event").asText()) || "disconnect".equals(e.path("event").asText())));
        return !lifecycle.isEmpty() && "connect".equals(lifecycle.get(lifecycle.size() - 1).path("event").asText());
    }

    /** The last 15 events of client {@code id}, or of all clients when null. */
    private String tail(String id) {
        List<JsonNode> of;
        synchronized (events) {
            of = id == null ? List.copyOf(events)
                    : events.stream().filter(e -> id.equals(e.path("id").asText())).toList();
        }
        return of.subList(Math.max(0, of.size() - 15), of.size()).toString();
    }

    @Override
    public void close() {
        try {
            send(JSON.createObjectNode().put("op", "exit"));
        } catch (RuntimeException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
