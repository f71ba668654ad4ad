package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.demo.chat.ChatBrowserTest;
import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * The packaged demo in cluster mode, unchanged, with Socket.IO 2.x clients ({@code socket.io-client} 2.5.0 from
 * npm; the demo sets {@code allow-eio3}) chatting with 4.x clients across both workers, on every transport mix: the
 * hello, messages both ways with their acknowledgements, and rooms; and the demo's page for the 2.x browser client
 * ({@code /old-client.html}) chatting with the main page in Chromium.
 */
class OldClientsChatIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final List<List<String>> TRANSPORTS = List.of(List.of("polling"), List.of("websocket"),
            List.of("polling", "websocket"));

    static Map<String, Object> options(List<String> transports, boolean old) {
        Map<String, Object> o = new HashMap<>();
        o.put("transports", transports);
        o.put("reconnection", false);
        if (old) {
            o.put("generation", 2);
            o.put("forceNew", true);
        }
        return o;
    }

    static ClusterProcess cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcess.start(JAR, 2, Map.of(), "old-clients-chat");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theOldClientPageChatsWithTheMainPageInChromium() throws Exception {
        // the main page (4.x client) and /old-client.html (the 2.x browser client) in tabs served by different
        // workers: a message each way, each acknowledged
        JsonNode result = ChatBrowserTest.runBrowser(cluster.url() + "/", Path.of("target/screenshots/old-client").toAbsolutePath(), true,
                "old-client.html");
        assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("workers").get(0).asText()).isNotEqualTo(result.path("workers").get(1).asText());
        assertThat(result.path("received").asText()).contains("hello from page one");
        assertThat(result.path("answered").asText()).contains("answer from the second page");
        assertThat(result.path("secondAcknowledged").asText()).contains("relayed by worker");
        assertThat(result.path("secondStatus").asText()).contains("Socket.IO protocol 4");
    }

    @Test
    void theOldClientPageOnJsonpPollingChatsInChromium() throws Exception {
        // the 2.x client's JSONP polling (script tags to receive, form posts to send), as where XHR is missing
        JsonNode result = ChatBrowserTest.runBrowser(cluster.url() + "/", Path.of("target/screenshots/jsonp").toAbsolutePath(),
                false, "old-client.html?jsonp");
        assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("received").asText()).contains("hello from page one");
        assertThat(result.path("answered").asText()).contains("answer from the second page");
        assertThat(result.path("secondStatus").asText()).contains("via polling (JSONP)");
    }

    @Test
    void oldAndNewClientsChatAcrossWorkers() {
        try (ClientDriver driver = ClientDriver.start()) {
            // 2.x clients until both workers serve some (bounded), then 4.x clients
            Map<String, Integer> oldOnes = new HashMap<>();
            for (int i = 0; i < 40 && (i < 6 || new TreeSet<>(oldOnes.values()).size() < 2); i++) {
                String id = "old" + i;
                driver.connect(id, cluster.url(), options(TRANSPORTS.get(i % 3), true));
                driver.await(id, "connect");
                oldOnes.put(id, driver.awaitEmit(id, "hello").path("args").get(0).path("worker").asInt());
            }
            assertThat(new TreeSet<>(oldOnes.values())).as("workers serving 2.x clients").containsExactly(1, 2);
            List<String> newOnes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = "new" + i;
                driver.connect(id, cluster.url(), options(TRANSPORTS.get(i), false));
                driver.await(id, "connect");
                newOnes.add(id);
            }
            List<String> everyone = new ArrayList<>(oldOnes.keySet());
            everyone.addAll(newOnes);
            // a message from a 2.x client on each worker and from a 4.x client reaches every other client
            List<String> senders = new ArrayList<>();
            for (int worker = 1; worker <= 2; worker++) {
                int w = worker;
                senders.add(oldOnes.entrySet().stream().filter(e -> e.getValue() == w).findFirst().orElseThrow().getKey());
            }
            senders.add(newOnes.get(0));
            for (String sender : senders) {
                JsonNode ok = driver.call(sender, 10_000, "chat", "hello from " + sender).get(0);
                assertThat(ok.path("ok").asBoolean()).isTrue();
                String text = "hello from " + sender;
                for (String id : everyone) {
                    if (!id.equals(sender)) {
                        JsonNode got = driver.await(e -> id.equals(e.path("id").asText())
                                && "chat".equals(e.path("name").asText())
                                && text.equals(e.path("args").get(0).path("text").asText()));
                        assertThat(got.path("args").get(0).path("from").asText()).isNotEmpty();
                    }
                }
            }
            // a room with a 2.x and a 4.x member: a 2.x client's message reaches the other member only
            String oldMember = senders.get(1);
            String newMember = newOnes.get(1);
            for (String member : List.of(oldMember, newMember)) {
                assertThat(driver.call(member, 10_000, "join", "retro").get(0).path("ok").asBoolean()).isTrue();
            }
            driver.emit(senders.get(0), "join", "retro");
            driver.emit(oldMember, "room", Map.of("room", "retro", "text", "in the room"));
            JsonNode inRoom = driver.await(e -> newMember.equals(e.path("id").asText())
                    && "chat".equals(e.path("name").asText()) && "in the room".equals(e.path("args").get(0).path("text").asText()));
            assertThat(inRoom.path("args").get(0).path("room").asText()).isEqualTo("retro");
            // and back, from the 4.x member to the 2.x one
            driver.emit(newMember, "room", Map.of("room", "retro", "text", "answer"));
            driver.await(e -> oldMember.equals(e.path("id").asText()) && "chat".equals(e.path("name").asText())
                    && "answer".equals(e.path("args").get(0).path("text").asText()));
            String outsider = newOnes.get(2);
            assertThat(driver.events(e -> outsider.equals(e.path("id").asText())
                    && "in the room".equals(e.path("args").path(0).path("text").asText()))).isEmpty();
        }
    }
}
