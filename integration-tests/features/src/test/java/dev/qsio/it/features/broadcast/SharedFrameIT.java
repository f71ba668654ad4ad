package dev.qsio.it.features.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.FrameSocket;

/**
 * A broadcast is encoded once and its bytes shared by every WebSocket recipient's connection. With readers and
 * clients that read nothing in the same room (and polling clients, which get their own copy), every reader gets every
 * message byte for byte and in order, the clients that do not read are closed at max-buffered-bytes, and Netty's
 * leak detector at its paranoid level finds no buffer that was not released: a shared buffer neither leaks one
 * socket's bytes to another nor is freed while a slow socket still holds it. On one process and across two workers
 * (where the broadcast is relayed and fanned out again on the other worker).
 */
class SharedFrameIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final int MESSAGES = 600;
    static final int SIZE = 20_000;
    static final int READERS = 12;
    static final int NON_READERS = 4;
    static final List<String> PARANOID = List.of("-Dio.netty.leakDetection.level=paranoid",
            "-Dio.netty.leakDetection.targetRecords=4");

    /**
     * The bound is a third of one client's stream (12 MB, sent at about 4 MB/s): a client that reads nothing reaches
     * it, a reader that a busy machine starves for a second does not (at 1 MB, a quarter of a second, a reader was
     * closed under load).
     */
    static Map<String, String> properties() {
        return Map.of("quarkus.socketio.max-buffered-bytes", "4000000",
                "quarkus.socketio.ping-interval", "25s",
                "quarkus.socketio.ping-timeout", "20s");
    }

    @Test
    void oneProcess() throws Exception {
        try (ClusterProcess single = ClusterProcess.startSingle(JAR, properties(), "shared-frame-single", PARANOID)) {
            run(single, List.of(single.pid()));
        }
    }

    @Test
    void twoWorkers() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, properties(), "shared-frame-cluster",
                ClusterProcess.freePort(), PARANOID)) {
            cluster.awaitReady(2);
            run(cluster, cluster.workers().stream().map(w -> w.path("pid").asLong()).toList());
        }
    }

    private void run(ClusterProcess server, List<Long> pids) throws Exception {
        ExecutorService readers = Executors.newCachedThreadPool();
        List<FrameSocket> sockets = new ArrayList<>();
        try (ClientDriver driver = ClientDriver.start()) {
            List<CompletableFuture<Read>> received = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                // the stream starts once the other clients are connected, which takes long on a busy machine
                FrameSocket s = joined(server.port(), 0).readTimeout(Duration.ofMinutes(2));
                sockets.add(s);
                received.add(CompletableFuture.supplyAsync(() -> readAll(s), readers));
            }
            List<FrameSocket> nonReaders = new ArrayList<>();
            for (int i = 0; i < NON_READERS; i++) {
                FrameSocket s = joined(server.port(), 4096);
                sockets.add(s);
                nonReaders.add(s);
            }
            for (String id : List.of("poller-1", "poller-2")) {
                driver.connectTracking(id, server.url(), Map.of("transports", List.of("polling")), "n");
                driver.await(id, "connect");
                driver.call(id, 15_000, "join", "shared");
            }
            driver.connect("publisher", server.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");
            driver.emitWithAck("publisher", "stream", 120_000, "heavy-stream", "P", MESSAGES, 5, "shared", SIZE);
            await().atMost(Duration.ofMinutes(2)).until(() -> !driver.events(m -> "publisher".equals(
                    m.path("id").asText()) && "ack".equals(m.path("event").asText())
                    && "stream".equals(m.path("ref").asText())).isEmpty());

            for (CompletableFuture<Read> r : received) {
                Read read = r.get(60, TimeUnit.SECONDS);
                assertThat(read.count()).as("messages a reader got, each byte for byte and in order (%s)", read.stop())
                        .isEqualTo(MESSAGES);
            }
            for (String id : List.of("poller-1", "poller-2")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> driver.report(id).path("origins").path("P")
                        .path("count").asInt() == MESSAGES);
                assertThat(driver.report(id).path("origins").path("P").path("outOfOrder").asInt()).isZero();
            }
            for (FrameSocket s : nonReaders) {
                assertThat(s.closedByServer(Duration.ofSeconds(20))).as("a client that read nothing was closed").isTrue();
            }
        } finally {
            for (FrameSocket s : sockets) {
                s.close();
            }
            readers.shutdownNow();
        }
        // the leak detector reports a buffer when it is collected unreleased: collect, then allocate again
        for (long pid : pids) {
            new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").start().waitFor(30, TimeUnit.SECONDS);
        }
        try (FrameSocket s = joined(server.port(), 0)) {
            s.sendText("421[\"upper\",\"after the collection\"]");
            s.nextTextStartingWith("431[");
        }
        assertThat(server.logText()).as("Netty's leak detector (paranoid)").doesNotContain("LEAK:");
    }

    /** A WebSocket client in room "shared". */
    static FrameSocket joined(int port, int receiveBuffer) throws IOException {
        FrameSocket s = FrameSocket.open(port, "/socket.io/?EIO=4&transport=websocket", receiveBuffer);
        s.nextTextStartingWith("0{");
        s.sendText("40");
        s.nextTextStartingWith("40{");
        s.sendText("421[\"join\",\"shared\"]");
        s.nextTextStartingWith("431[");
        return s;
    }

    /** How many messages a reader got as sent, and why it stopped. */
    record Read(int count, String stop) {
    }

    /** Reads the stream; the count of messages that were exactly as sent, stopping at the first that was not. */
    static Read readAll(FrameSocket s) {
        String padding = "x".repeat(SIZE);
        int next = 0;
        try {
            while (next < MESSAGES) {
                FrameSocket.Frame f = s.next();
                if (f.opcode() == FrameSocket.CLOSE) {
                    return new Read(next, "closed by the server with " + f.closeCode());
                }
                String text = f.text();
                if (text.equals("2")) {
                    s.sendText("3");
                    continue;
                }
                if (!text.equals("42[\"n\",\"P\"," + next + ",\"" + padding + "\"]")) {
                    return new Read(next, "unexpected frame " + text.substring(0, Math.min(80, text.length())));
                }
                next++;
            }
            return new Read(next, "all read");
        } catch (IOException e) {
            return new Read(next, e.toString());
        }
    }
}
