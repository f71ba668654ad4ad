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

    /** The same operations, from one emitter or the other. */
    interface Emit {
        void run(String operationJson);
    }

    /**
     * The operations of an emitter, each checked on the clients of every server: "a" and "n" are in room r1, "b" in
     * r2.
     */
    void theOperationsReachEveryServer(Emit emit, String tag) {
        emit.run("{\"op\":\"emit\",\"event\":\"all-" + tag + "\",\"args\":[\"to everyone\",1]}");
        awaitOnlyAndOnce("all-" + tag, List.of("a", "b", "n"));
        assertThat(got("n", "all-" + tag).get(0).get("args").toString()).isEqualTo("[\"to everyone\",1]");

        emit.run("{\"op\":\"emit\",\"rooms\":[\"r1\"],\"event\":\"room-" + tag + "\",\"args\":[]}");
        awaitOnlyAndOnce("room-" + tag, List.of("a", "n"));
        emit.run("{\"op\":\"emit\",\"except\":[\"r1\"],\"event\":\"except-" + tag + "\",\"args\":[]}");
        awaitOnlyAndOnce("except-" + tag, List.of("b"));

        emit.run("{\"op\":\"socketsJoin\",\"rooms\":[\"r2\"],\"target\":[\"joined\"]}");
        emit.run("{\"op\":\"socketsJoin\",\"rooms\":[\"r1\"],\"target\":[\"joined\"]}");
        emit.run("{\"op\":\"socketsLeave\",\"rooms\":[\"r2\"],\"target\":[\"joined\"]}");
        // the operations of one emitter arrive in order: b joined, then left; a and n joined
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            emit.run("{\"op\":\"emit\",\"rooms\":[\"joined\"],\"event\":\"joined-" + tag + "\",\"args\":[]}");
            assertThat(got("a", "joined-" + tag)).isNotEmpty();
            assertThat(got("n", "joined-" + tag)).isNotEmpty();
        });
        assertThat(got("b", "joined-" + tag)).isEmpty();

        emit.run("{\"op\":\"disconnectSockets\",\"rooms\":[\"r1\"],\"close\":false}");
        for (String id : List.of("a", "n")) {
            assertThat(driver.await(id, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        }
        assertThat(driver.connectedNow("b")).isTrue();
    }

    /** Binary values reach every client; server-side emits reach the servers' listeners and no client. */
    void binaryValuesAndServerSideEmits(ClusterProcess emitterApp, ClusterProcess hostA, ClusterProcess hostB) {
        javaEmit(emitterApp, "{\"op\":\"emit\",\"event\":\"bytes\",\"args\":[\"b\"],\"binary\":\"AQID\"}");
        awaitOnlyAndOnce("bytes", List.of("a", "b", "n"));
        for (String id : List.of("a", "b", "n")) {
            assertThat(ClientDriver.unbin(got(id, "bytes").get(0).get("args").get(1))).as(id).containsExactly(1, 2, 3);
        }
        long beforeA = counted(hostA);
        long beforeB = counted(hostB);
        // the chat's @OnBroadcast("chat") counter runs on every worker of both hosts; the Node server keeps "notify"
        javaEmit(emitterApp, "{\"op\":\"serverSideEmit\",\"event\":\"chat\",\"args\":[{\"text\":\"s\","
                + "\"from\":\"emitter\",\"worker\":0}]}");
        javaEmit(emitterApp, "{\"op\":\"serverSideEmit\",\"event\":\"notify\",\"args\":[\"from java\"]}");
        await().atMost(Duration.ofSeconds(10)).until(() -> counted(hostA) == beforeA + 1
                && counted(hostB) == beforeB + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.call("n", 15_000, "notifications").toString()
                .contains("from java"));
        // a server-side emit reaches no client
        assertThat(got("a", "chat")).isEmpty();
    }

    void close() {
        driver.close();
    }
}
