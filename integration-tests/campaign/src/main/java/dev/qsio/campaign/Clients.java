package dev.qsio.campaign;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.it.support.ClientDriver;

/**
 * The campaign's clients: {@code integration-tests/clients/campaign.mjs} in one Node process (official
 * socket.io-client subscribers of the three transport kinds, churning sockets, the publishers, and Chromium pages),
 * asked for its status and, at the end, for every history.
 */
final class Clients implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to start: the load balancer's URL for subscribers, churn and pages; the publishers, each straight to a host
     * ({@code name}, {@code url}); broadcasts per second in all; how often each subscriber asks for an acknowledgement
     * and for the server to ask it one.
     */
    record Config(String url, int subscribers, int pages, int churners, int churnLifeMs, boolean churnLater,
            List<Map<String, String>> publishers, int rate, int ackEveryMs, int askEveryMs, int dropEveryMs) {
    }

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();

    private Clients(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::read, "campaign-clients");
        reader.setDaemon(true);
        reader.start();
    }

    /** The CPU ticks (1/100 s) of the script's process and its live descendants (a page's browser) so far. */
    long cpuTicks() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).mapToLong(h -> Overload.ticks(h.pid()))
                .sum();
    }

    static Clients start(Config config, Path log) {
        return start("campaign.mjs", config, log);
    }

    /**
     * Starts a script of {@code integration-tests/clients} with its configuration ({@code config} as JSON: a record or a
     * map) and waits until it is ready.
     */
    static Clients start(String script, Object config, Path log) {
        return start(script, config, log, 0);
    }

    /**
     * The same at a lower CPU priority ({@code nice} {@code niceness}, 0 for none): the overload campaign's abusers,
     * which on one machine would otherwise take their CPU from the server they attack.
     */
    static Clients start(String script, Object config, Path log, int niceness) {
        Path dir = ClientDriver.clientsDir();
        try {
            List<String> command = new java.util.ArrayList<>();
            if (niceness > 0) {
                command.addAll(List.of("nice", "-n", String.valueOf(niceness)));
            }
            command.addAll(List.of("node", dir.resolve(script).toString(), JSON.writeValueAsString(config)));
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Clients clients = new Clients(p);
            // hundreds of sockets and Chromium pages on a loaded machine: minutes, not seconds
            clients.await("ready", Duration.ofSeconds(300));
            return clients;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node: is Node.js installed?", e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    answers.add(JSON.readTree(line));
                } catch (IOException e) {
                    answers.add(JSON.createObjectNode().put("event", "output").put("text", line));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Sends a command and waits for the answer of the given kind. */
    synchronized JsonNode ask(String command, String answer, Duration timeout) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the campaign's clients are gone", e);
        }
        return await(answer, timeout);
    }

    private JsonNode await(String event, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode next = left <= 0 ? null : answers.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)),
                        TimeUnit.NANOSECONDS);
                if (next == null && left > 0 && process.isAlive()) {
                    continue;
                }
                if (next == null) {
                    throw new IllegalStateException("the clients did not answer " + event + " within " + timeout.toSeconds()
                            + " s" + (process.isAlive() ? "" : " (node exited with " + process.exitValue() + ")"));
                }
                if (event.equals(next.path("event").asText())) {
                    return next;
                }
                if ("error".equals(next.path("event").asText())) {
                    throw new IllegalStateException("the clients failed: " + next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode status() {
        return ask("status", "status", Duration.ofSeconds(30));
    }

    /** fetchSockets of room "all" and serverCount, asked through the load balancer. */
    JsonNode probe() {
        return ask("probe", "probe", Duration.ofSeconds(30));
    }

    /**
     * How late the clients' event loop ran its callbacks since the last ask (p50, p99, max and mean in ms): the part of
     * a client's wait that is its own process's, not the servers'.
     */
    JsonNode lag() {
        return ask("lag", "lag", Duration.ofSeconds(30));
    }

    /** Starts or stops the churning sockets (the soak measures with them stopped). */
    void churn(boolean on) {
        ask("churn " + (on ? "on" : "off"), "churn", Duration.ofSeconds(30));
    }

    /** Stops publishing, lets what is in flight settle, and writes every history to {@code file}. */
    void finish(Path file) {
        ask("finish " + file.toAbsolutePath(), "finished", Duration.ofSeconds(90));
    }

    @Override
    public void close() {
        try {
            stdin.write("exit\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
