package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * MessagePack packets that declare more than they carry, sent by a client to a packaged cluster of 2 workers with
 * {@code quarkus.socketio.parser=msgpack}, over a WebSocket and in polling POSTs: each closes the session that sent it
 * and nothing else. The first is the 11 bytes that used to end a worker (a {@code str32} header declaring 2 GB: the
 * decoder allocated it before looking, the JVM exited on {@code OutOfMemoryError} and every client of that worker
 * lost its connection). The workers keep their pids, and the official clients of both (socket.io-client with the
 * msgpack parser, every transport mix) stay connected and receive the next broadcast.
 */
class DeclaredLengthIT {

    /** Each a whole binary message; before the fix, each allocated what it declares. */
    static final List<String> PACKETS = List.of(
            "db7fffffff74618d820000", // a str32 of 2 GB with 6 bytes after it
            "82a47479706502a36e7370c67fffffff00", // {type: 2, nsp: a bin32 of 2 GB}
            "dd7fffffff01", // an array32 of 2^31-1 values
            "df7fffffff0102", // a map32 of 2^31-1 pairs
            "84a47479706502a36e7370a12fa464617461c97fffff00000102", // data: an ext32 of 2 GB
            "81a464617461" + "91".repeat(1100) + "c0"); // nested deeper than Jackson's limit

    @Test
    void packetsThatDeclareMoreThanTheyCarryCloseOnlyTheirSession() {
        try (ClusterProcess cluster = ClusterProcess.launch(MsgpackParserIT.JAR, 2, MsgpackParserIT.MSGPACK,
                "declared-length");
                ClientDriver driver = ClientDriver.start()) {
            cluster.awaitReady(2);
            Map<Integer, Long> pids = pids(cluster);
            String url = cluster.url().replaceAll("/$", "");

            // bystanders on both workers, each transport mix
            List<String> bystanders = new ArrayList<>();
            Set<String> workers = new HashSet<>();
            for (int round = 0; round < 6 && workers.size() < 2; round++) {
                for (String c : MsgpackParserIT.connectAll(driver, List.of(url), "b" + round + "-")) {
                    workers.add(driver.call(c, 10_000, "whoami").get(0).asText());
                    bystanders.add(c);
                }
            }
            assertThat(workers).as("workers the bystanders reached").hasSize(2);

            // the attackers: an Engine.IO client per packet and transport, until both workers have had some
            Set<Integer> slots = new HashSet<>();
            List<String> attackers = new ArrayList<>();
            for (int round = 0; round < 4 && (round == 0 || slots.size() < 2); round++) {
                for (int p = 0; p < PACKETS.size(); p++) {
                    for (String transport : List.of("polling", "websocket")) {
                        String id = "x" + round + "-" + p + "-" + transport;
                        driver.engineOpen(id, url, Map.of("path", "/socket.io/", "transports", List.of(transport)));
                        slots.add(slotOf(driver.await(id, "open").path("sid").asText()));
                        driver.engineSendBinary(id, HexFormat.of().parseHex(PACKETS.get(p)));
                        attackers.add(id);
                    }
                }
            }
            assertThat(slots).as("workers the attackers reached").hasSize(2);
            for (String id : attackers) {
                JsonNode closed = driver.await(e -> id.equals(e.path("id").asText())
                        && "close".equals(e.path("event").asText()), Duration.ofSeconds(30));
                assertThat(closed.path("reason").asText()).as("how %s's session ended", id).isNotEmpty();
                assertThat(driver.events(id, "message")).as("what %s was answered", id).isEmpty();
            }

            assertThat(pids(cluster)).as("worker pids after %d attacks", attackers.size()).isEqualTo(pids);
            MsgpackParserIT.broadcast(driver, bystanders, bystanders.get(0));
            MsgpackParserIT.broadcast(driver, bystanders, bystanders.get(bystanders.size() - 1));
            for (String b : bystanders) {
                assertThat(driver.events(b, "disconnect")).as("disconnections of bystander %s", b).isEmpty();
            }
            assertThat(cluster.logText()).doesNotContain("OutOfMemoryError").doesNotContain("exited with code")
                    .as("the refusal logged with the client's address")
                    .containsPattern("Closed connection \\S+ from 127\\.0\\.0\\.1:\\d+: invalid packet \\(invalid MessagePack");
        }
    }

    static Map<Integer, Long> pids(ClusterProcess cluster) {
        Map<Integer, Long> pids = new HashMap<>();
        for (JsonNode w : cluster.workers()) {
            pids.put(w.path("id").asInt(), w.path("pid").asLong());
        }
        return pids;
    }

    /** The bus slot of the worker that owns a session, from the tag in the last 3 bytes of its id. */
    static int slotOf(String sid) {
        byte[] tail = Base64.getUrlDecoder().decode(sid.substring(16));
        return (tail[1] & 0xff) << 8 | (tail[2] & 0xff);
    }
}
