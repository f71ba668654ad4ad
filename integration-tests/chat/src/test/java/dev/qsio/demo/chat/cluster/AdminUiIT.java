package dev.qsio.demo.chat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisServer;

/**
 * The official Socket.IO Admin UI against the packaged demo, enabled with {@code -Dquarkus.socketio.admin-ui.enabled=true}
 * (the demo's properties give the user {@code admin}, password {@code demo}, and development mode): the admin protocol with Node's {@code socket.io-client} against one process, the
 * 2-worker cluster (statistics from both workers, the sockets of both listed, commands reaching both) and two hosts
 * on Redis; a wrong password refused; and the UI itself in Chromium, served by the primary: log in, see the sockets
 * of both workers, disconnect one. Screenshots in {@code target/screenshots}.
 */
class AdminUiIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /** The demo's properties make it a cluster; these run it as one process. */
    static final Map<String, String> ON = Map.of("quarkus.socketio.admin-ui.enabled", "true");
    static final Map<String, String> ONE_PROCESS = Map.of("quarkus.socketio.cluster.enabled", "false",
            "quarkus.socketio.admin-ui.enabled", "true");
    static final Map<String, Object> LOGIN = Map.of("auth", Map.of("username", "admin", "password", "demo"),
            "transports", List.of("websocket"), "reconnection", false);

    /** Chat clients until both given servers have some; client id to the server that said hello ("worker@node"). */
    static Map<String, String> chatClients(ClientDriver driver, List<String> urls, int atLeast) {
        Map<String, String> servers = new HashMap<>();
        for (int i = 0; i < 40 && (servers.size() < atLeast || new HashSet<>(servers.values()).size() < 2); i++) {
            String id = "c" + i;
            driver.connect(id, urls.get(i % urls.size()), Map.of("transports", List.of("websocket"), "reconnection",
                    false));
            JsonNode hello = driver.awaitEmit(id, "hello").get("args").get(0);
            servers.put(id, hello.get("worker").asText() + "@" + hello.get("node").asText());
        }
        assertThat(new HashSet<>(servers.values())).as("servers of the chat clients").hasSize(2);
        return servers;
    }

    static String sid(ClientDriver driver, String id) {
        return driver.events(id, "connect").get(0).get("sid").asText();
    }

    /**
     * Logs in as the UI does and checks what a UI sees: every chat socket listed, statistics from {@code servers}
     * distinct servers, and the commands reaching a socket of each server (a room emit, then a disconnect).
     */
    static void checkProtocol(ClientDriver driver, String adminUrl, Map<String, String> clients, int servers) {
        driver.connect("wrong", adminUrl, Map.of("auth", Map.of("username", "admin", "password", "nope"),
                "transports", List.of("websocket"), "reconnection", false));
        assertThat(driver.await("wrong", "connect_error").get("message").asText()).isEqualTo("invalid credentials");

        driver.connect("ui", adminUrl, LOGIN);
        driver.await("ui", "connect");
        String session = driver.awaitEmit("ui", "session").get("args").get(0).asText();
        assertThat(driver.awaitEmit("ui", "config").get("args").get(0).get("supportedFeatures").toString())
                .contains("MDISCONNECT", "ALL_EVENTS");
        JsonNode all = driver.awaitEmit("ui", "all_sockets").get("args").get(0);
        Set<String> listed = new HashSet<>(all.findValuesAsText("id"));
        for (String client : clients.keySet()) {
            assertThat(listed).as("all_sockets lists %s", client).contains(sid(driver, client));
        }
        Set<String> serverIds = new HashSet<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            driver.events("ui", "event").stream().filter(e -> e.get("name").asText().equals("server_stats"))
                    .forEach(e -> serverIds.add(e.get("args").get(0).get("serverId").asText()));
            return serverIds.size() >= servers;
        });
        assertThat(serverIds).hasSize(servers);

        // a second UI with the session id, on whichever server it lands
        driver.connect("ui2", adminUrl, Map.of("auth", Map.of("sessionId", session), "transports",
                List.of("websocket"), "reconnection", false));
        driver.await("ui2", "connect");

        // one client of each server: an emit to its room, then a disconnect, from the UI
        Map<String, String> onePerServer = new HashMap<>();
        clients.forEach((client, server) -> onePerServer.putIfAbsent(server, client));
        for (String client : onePerServer.values()) {
            String sid = sid(driver, client);
            driver.emit("ui", "emit", "/", sid, "notice", "from the admin");
            assertThat(driver.awaitEmit(client, "notice").get("args").get(0).asText()).isEqualTo("from the admin");
            driver.emit("ui2", "_disconnect", "/", false, sid);
            assertThat(driver.await(client, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
            driver.await(e -> "ui".equals(e.path("id").asText()) && "socket_disconnected".equals(e.path("name").asText())
                    && sid.equals(e.get("args").get(1).asText()));
        }
    }

    @Test
    void oneProcess() {
        try (ClusterProcess single = ClusterProcess.startSingle(JAR, ONE_PROCESS, "admin-single");
                ClientDriver driver = ClientDriver.start()) {
            driver.connect("c0", single.url() + "/", Map.of("transports", List.of("websocket"), "reconnection", false));
            driver.connect("c1", single.url() + "/", Map.of("reconnection", false));
            driver.await("c0", "connect");
            driver.await("c1", "connect");
            checkProtocol(driver, single.url() + "/admin", Map.of("c0", "0", "c1", "0"), 1);
        }
    }

    @Test
    void twoWorkersAndTheUiInChromium() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(JAR, 2, ON, "admin-cluster");
                ClientDriver driver = ClientDriver.start()) {
            Map<String, String> clients = chatClients(driver, List.of(cluster.url() + "/"), 4);

            // the UI, as the primary serves it, in Chromium: the sockets of both workers, one disconnected from it
            Map<String, String> onePerWorker = new LinkedHashMap<>();
            clients.forEach((client, worker) -> onePerWorker.putIfAbsent(worker, client));
            List<String> shown = List.copyOf(onePerWorker.values());
            String first = shown.get(0);
            Path shots = Path.of("target/screenshots").toAbsolutePath();
            Files.createDirectories(shots);
            List<String> command = new ArrayList<>(List.of("node",
                    ClientDriver.clientsDir().resolve("browser-admin.mjs").toString(),
                    cluster.managementUrl() + "/q/socketio/admin/", "admin", "demo", shots.toString()));
            shown.forEach(c -> command.add(sid(driver, c)));
            Process browser = new ProcessBuilder(command).directory(ClientDriver.clientsDir().toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out;
            try {
                assertThat(browser.waitFor(150, TimeUnit.SECONDS)).as("the browser finished").isTrue();
                out = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                browser.destroyForcibly();
            }
            assertThat(out).as("the browser's report").contains("\"listed\"", "\"gone\"");
            assertThat(driver.await(first, "disconnect").get("reason").asText()).isEqualTo("io server disconnect");
            assertThat(shots.resolve("admin-ui-sockets.png")).isNotEmptyFile();

            Map<String, String> rest = new HashMap<>(clients);
            rest.remove(first);
            checkProtocol(driver, cluster.url() + "/admin", rest, 2);
        }
    }

    @Test
    void twoHostsOnRedis() {
        try (RedisServer redis = RedisServer.start("admin-hosts");
                ClusterProcess a = ClusterProcess.startSingle(JAR, host(redis, "host-a"), "admin-host-a");
                ClusterProcess b = ClusterProcess.startSingle(JAR, host(redis, "host-b"), "admin-host-b");
                ClientDriver driver = ClientDriver.start()) {
            Map<String, String> clients = chatClients(driver, List.of(a.url() + "/", b.url() + "/"), 2);
            checkProtocol(driver, a.url() + "/admin", clients, 2);
        }
    }

    static Map<String, String> host(RedisServer redis, String node) {
        return Map.of("quarkus.socketio.bus", "redis", "quarkus.socketio.redis.url", redis.url(),
                "quarkus.socketio.cluster.node-id", node, "quarkus.socketio.cluster.enabled", "false",
                "quarkus.socketio.admin-ui.enabled", "true");
    }
}
