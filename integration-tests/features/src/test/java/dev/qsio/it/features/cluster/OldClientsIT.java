package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;

/**
 * {@code quarkus.socketio.allow-eio3} with the Socket.IO 2.x client from npm ({@code socket.io-client} 2.5.0,
 * Engine.IO revision 3, Socket.IO protocol 4), next to 4.x clients: every transport mix, the client's heartbeat,
 * acknowledgements both ways with text and binary values, namespaces with their query as auth and their refusals,
 * broadcasts between generations, on one process and across two workers; and the refusal when the option is off.
 */
class OldClientsIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Map<String, String> EIO3 = Map.of("quarkus.socketio.allow-eio3", "true");
    static final List<List<String>> TRANSPORTS = List.of(List.of("polling"), List.of("websocket"),
            List.of("polling", "websocket"));

    static Map<String, Object> v2(List<String> transports) {
        Map<String, Object> o = new HashMap<>();
        o.put("transports", transports);
        o.put("generation", 2);
        o.put("forceNew", true);
        o.put("reconnection", false);
        return o;
    }

    /** One 2.x and one 4.x client per transport mix; returns their ids once connected (2.x first). */
    static List<String> connectBoth(ClientDriver driver, String url, String prefix) {
        List<String> ids = new ArrayList<>();
        for (List<String> transports : TRANSPORTS) {
            String id = prefix + "v2-" + String.join("+", transports);
            driver.connect(id, url, v2(transports));
            ids.add(id);
        }
        for (List<String> transports : TRANSPORTS) {
            String id = prefix + "v4-" + String.join("+", transports);
            driver.connect(id, url, Map.of("transports", transports, "reconnection", false));
            ids.add(id);
        }
        for (String id : ids) {
            JsonNode connect = driver.await(id, "connect");
            if (id.contains("v2-")) {
                // protocol 4: the socket of the main namespace has the connection's id
                assertThat(connect.path("sid").asText()).isEqualTo(connect.path("engine").asText());
            }
        }
        return ids;
    }

    @Test
    void oneProcess() {
        try (ClusterProcess server = ClusterProcess.startSingle(JAR, EIO3, "eio3-single");
                ClientDriver driver = ClientDriver.start()) {
            List<String> clients = connectBoth(driver, server.url(), "c");
            List<String> old = clients.subList(0, 3);
            MsgpackParserIT.talk(driver, clients);
            for (String c : old) {
                // the server's welcome on connection, with the socket's id
                assertThat(driver.awaitEmit(c, "welcome").path("args").get(0).asText())
                        .isEqualTo(driver.events(c, "connect").get(0).path("sid").asText());
            }
            // the upgrade from polling happens as with a 4.x client
            driver.await(old.get(2), "upgrade");
            namespaces(driver, server.url());
            MsgpackParserIT.broadcast(driver, clients, old.get(1));
            MsgpackParserIT.broadcast(driver, clients, clients.get(5));
            // the application's ping interval is 2 s and its timeout 2 s: the 2.x clients ping, the server answers,
            // and the sessions outlive several intervals
            for (String c : old) {
                int pongs = driver.events(c, "pong").size();
                await().atMost(Duration.ofSeconds(20)).until(() -> driver.events(c, "pong").size() >= pongs + 3);
                assertThat(driver.events(c, "disconnect")).isEmpty();
            }
            assertThat(driver.call(old.get(0), 10_000, "upper", "still").get(0).asText()).isEqualTo("STILL");
        }
    }

    /** A namespace behind middleware reads the 2.x client's query as its auth: admitted, or refused readably. */
    static void namespaces(ClientDriver driver, String url) {
        for (List<String> transports : TRANSPORTS) {
            String id = "admin-" + String.join("+", transports);
            Map<String, Object> admin = v2(transports);
            admin.put("query", Map.of("role", "admin"));
            driver.connect(id, url + "/admin", admin);
            JsonNode connect = driver.await(id, "connect");
            assertThat(connect.path("sid").asText()).isEqualTo("/admin#" + connect.path("engine").asText());
            assertThat(driver.awaitEmit(id, "welcome").path("args").get(0).asText()).isEqualTo("admin");
            assertThat(driver.call(id, 10_000, "whoami").get(0).asText()).isEqualTo("/admin");
            String guest = "guest-" + String.join("+", transports);
            Map<String, Object> intruder = v2(transports);
            intruder.put("query", Map.of("role", "guest"));
            driver.connect(guest, url + "/admin", intruder);
            assertThat(driver.await(guest, "connect_error").path("message").asText()).isEqualTo("admins only");
        }
    }

    @Test
    void twoWorkers() {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, EIO3, "eio3-cluster");
                ClientDriver driver = ClientDriver.start()) {
            cluster.awaitReady(2);
            List<String> clients = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                clients.addAll(connectBoth(driver, cluster.url(), "c" + round + "-"));
            }
            List<String> old = clients.stream().filter(c -> c.contains("v2-")).toList();
            assertThat(old.stream().map(c -> driver.call(c, 10_000, "whoami").get(0).asText()).distinct())
                    .as("workers that 2.x clients reached").hasSize(2);
            MsgpackParserIT.talk(driver, old);
            MsgpackParserIT.broadcast(driver, clients, old.get(0));
            MsgpackParserIT.broadcast(driver, clients, old.get(old.size() - 1));
            MsgpackParserIT.broadcast(driver, clients, clients.get(clients.size() - 1));
        }
    }

    @Test
    void refusedWhenNotAllowed() {
        try (ClusterProcess server = ClusterProcess.startSingle(JAR, Map.of(), "eio3-off");
                ClientDriver driver = ClientDriver.start()) {
            for (List<String> transports : TRANSPORTS) {
                String id = "old-" + String.join("+", transports);
                driver.connect(id, server.url(), v2(transports));
                driver.await(id, "connect_error");
            }
            // a 4.x client is served as ever
            driver.connect("new", server.url(), Map.of("transports", List.of("websocket")));
            driver.await("new", "connect");
            for (List<String> transports : TRANSPORTS) {
                assertThat(driver.events("old-" + String.join("+", transports), "connect")).isEmpty();
            }
        }
    }
}
