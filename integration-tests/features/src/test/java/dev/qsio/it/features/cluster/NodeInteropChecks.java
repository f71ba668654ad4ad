package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;

/**
 * What a Node socket.io 4.x server and a Quarkus cluster (2 workers) of one fleet do for each other, whatever carries
 * their messages: broadcasts both ways, rooms, acknowledgements, {@code fetchSockets} and {@code serverSideEmit} from
 * each side, as during a migration from Node. Each wire's test starts the fleet ({@link #quarkus}, {@link #node}).
 */
abstract class NodeInteropChecks {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static ClusterProcess quarkus;
    static NodeRedisServer node;
    static String nodeUrl;
    ClientDriver driver;
    List<String> onQuarkus;
    List<String> onNode;

    @BeforeEach
    void clients() {
        driver = ClientDriver.start();
        onQuarkus = new ArrayList<>();
        onNode = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String q = "q" + i;
            String n = "n" + i;
            String transport = i % 2 == 0 ? "polling" : "websocket";
            driver.connect(q, quarkus.url(), Map.of("transports", List.of(transport), "auth", Map.of("name", "quarkus-" + i)),
                    Map.of("question", List.of("from " + q, i)));
            driver.connect(n, nodeUrl, Map.of("transports", List.of(transport), "auth", Map.of("name", "node-" + i)),
                    Map.of("question", List.of("from " + n, i)));
            driver.awaitEmit(q, "welcome");
            driver.awaitEmit(n, "welcome");
            onQuarkus.add(q);
            onNode.add(n);
        }
        assertThat(ack(onNode.get(0), "where").get(0).asText()).isEqualTo("node");
        assertThat(ack(onQuarkus.get(0), "where").get(0).asText()).startsWith("quarkus-host/");
    }

    @AfterEach
    void close() {
        driver.close();
    }

    JsonNode ack(String id, String event, Object... args) {
        return driver.call(id, 15_000, event, args);
    }

    long received(String id, String event) {
        return driver.received(id, event);
    }

    List<String> everyone() {
        List<String> all = new ArrayList<>(onQuarkus);
        all.addAll(onNode);
        return all;
    }

    @Test
    void broadcastsGoBothWaysOnceWithBinaryValues() {
        driver.emit(onQuarkus.get(0), "everyone", Map.of("from", "quarkus", "bytes", ClientDriver.bin(new byte[] { 1, 2, 3 })));
        driver.emit(onNode.get(1), "everyone", Map.of("from", "node"));
        for (String id : everyone()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> received(id, "everyone") == 2);
        }
        // and no third copy arrives
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> everyone().stream().mapToLong(id -> received(id, "everyone")).max().orElse(0), max -> max == 2);
        for (String id : everyone()) {
            List<JsonNode> got = driver.events(e -> id.equals(e.path("id").asText()) && "everyone".equals(e.path("name").asText()));
            assertThat(got).as(id).hasSize(2);
            JsonNode fromQuarkus = got.stream().map(e -> e.get("args").get(0))
                    .filter(a -> "quarkus".equals(a.path("from").asText())).findFirst().orElseThrow();
            assertThat(ClientDriver.unbin(fromQuarkus.get("bytes"))).as(id).containsExactly(1, 2, 3);
        }
        // the Quarkus servers' @OnBroadcast methods saw the Node server's broadcast
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(onQuarkus.get(1), "everyone-origins").toString().contains("/-1"));
    }

    @Test
    void roomsSpanBothSides() {
        ack(onQuarkus.get(1), "join", "mixed");
        ack(onNode.get(2), "join", "mixed");
        driver.emit(onNode.get(0), "to-room-all", Map.of("room", "mixed", "text", "from node"));
        driver.emit(onQuarkus.get(3), "to-room-all", Map.of("room", "mixed", "text", "from quarkus"));
        for (String id : List.of(onQuarkus.get(1), onNode.get(2))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> received(id, "room-message") == 2);
        }
        // nothing reaches the sockets outside the room
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).until(() -> everyone().stream()
                .filter(id -> !id.equals(onQuarkus.get(1)) && !id.equals(onNode.get(2)))
                .mapToLong(id -> received(id, "room-message")).sum(), n -> n == 0);
        for (String id : everyone()) {
            if (!id.equals(onQuarkus.get(1)) && !id.equals(onNode.get(2))) {
                assertThat(received(id, "room-message")).as(id).isZero();
            }
        }
    }

    @Test
    void fetchSocketsFromEachSideSeesBoth() {
        ack(onQuarkus.get(0), "join", "seen");
        ack(onQuarkus.get(1), "join", "seen");
        ack(onNode.get(0), "join", "seen");
        JsonNode fromQuarkus = ack(onQuarkus.get(2), "fetch-details", "seen").get(0);
        JsonNode fromNode = ack(onNode.get(3), "fetch-details", "seen").get(0);
        for (JsonNode found : List.of(fromQuarkus, fromNode)) {
            assertThat(found).as(found.toString()).hasSize(3);
            assertThat(found.toString()).contains("\"name\":\"quarkus-0\"", "\"name\":\"quarkus-1\"", "\"name\":\"node-0\"");
            for (JsonNode s : found) {
                assertThat(s.get("rooms").toString()).contains("seen", s.get("id").asText());
                assertThat(s.get("auth").get("name").asText()).isEqualTo(s.get("name").asText());
            }
        }
    }

    @Test
    void socketsJoinAndDisconnectFromEachSide() {
        ack(onNode.get(1), "join", "a");
        ack(onQuarkus.get(1), "join", "a");
        driver.emit(onQuarkus.get(0), "sockets-join", "a", "b");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(onNode.get(0), "fetch", "b").get(0).size() == 2);
        driver.emit(onNode.get(0), "disconnect-room", "b");
        for (String id : List.of(onNode.get(1), onQuarkus.get(1))) {
            assertThat(driver.await(id, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
        }
    }

    @Test
    void serverSideEmitWithAcknowledgementsBothWays() {
        assertThat(ack(onNode.get(0), "servers").get(0).asInt()).isEqualTo(3);
        JsonNode fromNode = ack(onNode.get(0), "ping-servers").get(0);
        assertThat(fromNode).as(fromNode.toString()).hasSize(2);
        assertThat(fromNode.toString()).contains("pong from 1 to 99", "pong from 2 to 99");
        JsonNode fromQuarkus = ack(onQuarkus.get(0), "ping-servers").get(0);
        assertThat(fromQuarkus).as(fromQuarkus.toString()).hasSize(2);
        assertThat(fromQuarkus.toString()).contains("pong from node to ");
        driver.emit(onQuarkus.get(1), "notify-servers", "hello node");
        await().atMost(Duration.ofSeconds(5)).until(() -> ack(onNode.get(2), "notifications").toString()
                .contains("hello node"));
    }

    /**
     * Every argument of the answers a Quarkus server carries crosses the wire beside the first, which is all that Node's
     * adapters forward: the Quarkus clients' answers (two arguments) arrive whole, the Node server's clients' with their
     * first argument.
     */
    @Test
    void everyArgumentOfAnswersCarriedByQuarkusServersTheFirstOfThoseANodeServerCarries() {
        for (String id : List.of(onQuarkus.get(0), onQuarkus.get(1), onNode.get(0), onNode.get(1))) {
            ack(id, "join", "quiz");
        }
        JsonNode result = ack(onQuarkus.get(2), "ask-room-args", "quiz", 5000).get(0);
        List<String> answers = new ArrayList<>();
        result.path("answers").forEach(a -> answers.add(a.path("values").toString()));
        assertThat(answers).as(result.toString()).containsExactlyInAnyOrder("[\"from q0\",0]", "[\"from q1\",1]",
                "[\"from n0\"]", "[\"from n1\"]");
    }

    @Test
    void broadcastWithAcknowledgementsFromEachSide() {
        for (String id : List.of(onQuarkus.get(0), onQuarkus.get(1), onNode.get(0), onNode.get(1))) {
            ack(id, "join", "quiz");
        }
        for (String caller : List.of(onQuarkus.get(2), onNode.get(2))) {
            JsonNode result = ack(caller, "ask-room-timeout", "quiz", 5000).get(0);
            assertThat(result.get("answers")).as(caller + ": " + result).hasSize(4);
            assertThat(result.get("answers").toString()).contains("from q0", "from q1", "from n0", "from n1");
        }
    }
}
