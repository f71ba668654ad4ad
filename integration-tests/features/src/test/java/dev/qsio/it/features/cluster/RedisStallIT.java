package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisServer;

/**
 * What a server wrote to a Redis that stopped answering, and then gave up on, is not sent when Redis answers again.
 * The server publishes a stream of broadcasts into a frozen Redis (SIGSTOP: a stalled VM, or a link that drops
 * everything) until its heartbeats time out and it drops the connection; the publications pile up in the connection's
 * queue. Closing a Vert.x connection waits for that queue to be flushed, so without an abort the old connection stayed
 * open and delivered every one of them once Redis read again, seconds late and, when the new connection was quicker
 * (a cut link's retransmissions), after broadcasts made since: the fault campaign's late broadcasts. Only what the
 * kernel already held (the socket buffers, a few hundred KB) may still arrive.
 */
class RedisStallIT {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String ORIGIN = "STALLED-STREAM";
    static final int MESSAGES = 800;
    static final int SIZE = 10_000;
    /** More than the kernel's socket buffers hold on loopback with a reader that never read (about 200 KB). */
    static final int KERNEL_BOUND = 1_000_000 / SIZE;

    static void report(String line) {
        System.out.println("[redis-stall-report] " + line);
    }

    @Test
    void whatAServerQueuedForARedisItGaveUpOnIsNotSentWhenThatRedisRunsAgain() throws Exception {
        try (RedisServer redis = RedisServer.start("stall")) {
            stall(Map.of("quarkus.socketio.redis.url", redis.url()), redis, "redis-stall");
        }
    }

    /** @param stalled the Redis the server is connected to, which stops answering */
    private void stall(Map<String, String> redisProperties, RedisServer stalled, String name)
            throws Exception {
        Map<String, String> props = new HashMap<>(redisProperties);
        props.put("quarkus.socketio.bus", "redis");
        props.put("quarkus.socketio.redis.reconnect-delay-max", "1s");
        props.put("quarkus.socketio.cluster.min-ready-workers", "1");
        try (ClusterProcess host = ClusterProcess.launch(JAR, 1, props, name);
                Watcher stale = Watcher.start(stalled.port());
                ClientDriver driver = ClientDriver.start()) {
            host.awaitReady(1);
            long pid = host.worker(1).get("pid").asLong();
            List<String> before = ClusterProcess.connectionsTo(pid, stalled.port());
            assertThat(before).as("the server's connections to the Redis that will stall").isNotEmpty();
            driver.connect("publisher", host.url(), Map.of("transports", List.of("websocket")));
            driver.await("publisher", "connect");
            // a marker the watcher sees arrive: it is subscribed before Redis stops
            driver.call("publisher", 15_000, "heavy-at", "MARK-BEFORE", 0, "stalled", 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> stale.seen("MARK-BEFORE") == 1);

            stalled.pause();
            long pausedAt = System.nanoTime();
            try {
                // 10 KB at 100 a second into a Redis that reads nothing, for longer than the heartbeat timeout (5 s)
                driver.emitWithAck("publisher", "stream", 120_000, "heavy-stream", ORIGIN, MESSAGES, 10, "stalled", SIZE);
                await().atMost(Duration.ofSeconds(30)).until(() -> host.status("/q/health/ready") == 503);
                long givenUpMs = (System.nanoTime() - pausedAt) / 1_000_000;
                driver.awaitAck("publisher", "stream");
                report(name + ": the server gave up on the stalled Redis after " + givenUpMs + " ms, having "
                        + "published into it for that long");
                assertThat(stale.seen(ORIGIN)).as("nothing reaches a frozen Redis's subscribers").isZero();
            } finally {
                stalled.resume();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> host.status("/q/health/ready") == 200);
            driver.call("publisher", 15_000, "heavy-at", "MARK-AFTER", 0, "stalled", 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> stale.seen("MARK-AFTER") >= 1);
            // the connections given up on are gone: at once with the abort, only once their queue drained without it
            await().atMost(Duration.ofSeconds(30)).alias("the server's connections to Redis from before the stall "
                    + "closed: " + before).until(() -> ClusterProcess.connectionsTo(pid, stalled.port()).stream()
                            .noneMatch(before::contains));
            long late = stale.seen(ORIGIN);
            long dropped = host.worker(1).path("stats").path("redis").path("dropped").asLong();
            report(name + ": " + late + " of the stream's " + MESSAGES + " publications of " + SIZE / 1000 + " KB "
                    + "reached the stalled Redis once it ran again (those the kernel held); " + dropped + " publications"
                    + " counted as dropped (the stream's and the server's own heartbeats)");
            assertThat(late).as("publications sent to the stalled Redis from the queue of the connection given up on")
                    .isLessThanOrEqualTo(KERNEL_BOUND);
            // every publication of the stream that did not reach Redis is accounted for, discarded ones included
            assertThat(dropped).as("publications counted as dropped").isGreaterThanOrEqualTo(MESSAGES - late);
        }
    }

    /** A raw subscriber to every channel of the test's Redis, counting the publications that carry a marker. */
    static final class Watcher implements AutoCloseable {
        private final Socket socket;
        private final StringBuffer text = new StringBuffer();
        private final AtomicLong bytes = new AtomicLong();
        private final Thread reader;

        private Watcher(Socket socket) {
            this.socket = socket;
            this.reader = new Thread(this::read, "redis-watcher");
            reader.setDaemon(true);
            reader.start();
        }

        static Watcher start(int port) throws IOException {
            Socket socket = new Socket("127.0.0.1", port);
            socket.getOutputStream().write("*2\r\n$10\r\nPSUBSCRIBE\r\n$1\r\n*\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new Watcher(socket);
        }

        private void read() {
            byte[] buffer = new byte[65536];
            try (InputStream in = socket.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    bytes.addAndGet(n);
                    // the padding is 'x' and markers are upper case: keep everything but the padding
                    StringBuilder kept = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        char c = (char) (buffer[i] & 0xff);
                        if (c != 'x') {
                            kept.append(c >= 'A' && c <= 'Z' || c == '-' ? c : ' ');
                        }
                    }
                    text.append(kept);
                }
            } catch (IOException e) {
                // closed
            }
        }

        /** How many publications carrying the marker arrived so far. */
        long seen(String marker) {
            String all = text.toString();
            long count = 0;
            for (int i = all.indexOf(marker); i >= 0; i = all.indexOf(marker, i + marker.length())) {
                count++;
            }
            return count;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
