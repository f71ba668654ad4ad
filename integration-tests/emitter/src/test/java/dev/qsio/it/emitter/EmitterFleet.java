package dev.qsio.it.emitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * What the emitter tests share: the chat demo's hosts and a Node server of one fleet, official Node clients on each,
 * and two ways to emit from a process that serves no sockets, the Java {@code SocketIoEmitter} of this module's
 * application ({@code POST /emit}) and Node's emitters ({@code clients/node-emitter.mjs}).
 */
final class EmitterFleet {

    static final Path CHAT = Path.of("../chat/target/quarkus-app/quarkus-run.jar");
    static final Path EMITTER = Path.of("target/quarkus-app/quarkus-run.jar");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final ClientDriver driver;
    /** Client id to the server it is connected to. */
    final Map<String, String> clients;

    EmitterFleet(ClientDriver driver, Map<String, String> clients) {
        this.driver = driver;
        this.clients = clients;
    }

    /** Connects the official client to each server (alternating polling-then-upgrade and WebSocket) and waits. */
    static EmitterFleet connect(Map<String, String> urlsByClient) {
        ClientDriver driver = ClientDriver.start();
        int i = 0;
        for (Map.Entry<String, String> c : urlsByClient.entrySet()) {
            driver.connect(c.getKey(), c.getValue(), i++ % 2 == 0 ? Map.of("reconnection", false)
                    : Map.of("reconnection", false, "transports", List.of("websocket")));
        }
        for (String id : urlsByClient.keySet()) {
            driver.await(id, "connect");
        }
        return new EmitterFleet(driver, urlsByClient);
    }

    /** Joins a room through the servers' own {@code join} event (the chat's and the Node server's). */
    void join(String id, String room) {
        driver.call(id, 15_000, "join", room);
    }

    /** The events of a name the servers emitted to a client. */
    List<JsonNode> got(String id, String event) {
        return driver.events(e -> id.equals(e.path("id").asText()) && "event".equals(e.path("event").asText())
                && event.equals(e.path("name").asText()));
    }

    /** Waits until exactly {@code expected} clients have the event once, and no other client has it. */
    void awaitOnlyAndOnce(String event, List<String> expected) {
        for (String id : expected) {
            await().atMost(Duration.ofSeconds(20)).alias(id + " gets " + event).until(() -> got(id, event).size() >= 1);
        }
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).alias("no other or second " + event)
                .until(() -> clients.keySet().stream().allMatch(id -> got(id, event).size() == (expected.contains(id) ? 1
                        : 0)));
    }

    /** One operation through the emitter application's {@code POST /emit}. */
    static void javaEmit(ClusterProcess emitterApp, String json) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(emitterApp.url() + "/emit"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Operations through Node's emitter ({@code redis} or {@code postgres}), in a process of its own. */
    static void nodeEmit(String kind, String url, String operationsJson) {
        List<String> cmd = new ArrayList<>(List.of("node", ClientDriver.clientsDir().resolve("node-emitter.mjs").toString(),
                kind, url, operationsJson));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("node-emitter.mjs did not finish within 60 s");
                }
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(out).as("node-emitter.mjs said").contains("done");
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The chat messages a host's workers counted ({@code @OnBroadcast("chat")}), as one of them answers. */
    static long counted(ClusterProcess host) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(host.url() + "/api/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return ClientDriver.JSON.readTree(r.body()).get("messages").asLong();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void close() {
        driver.close();
    }
}
