package dev.qsio.runtime.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A worker that stops sending heartbeats is first reported stalled (it stays on the bus), resumes when it speaks
 * again, and is removed as unresponsive only once it has been silent for the stall timeout.
 */
class BusRelayStallTest {

    static final byte[] SECRET = "the-secret".getBytes(StandardCharsets.UTF_8);

    Vertx vertx;
    BusRelay relay;
    int port;
    final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        relay = new BusRelay(vertx, "the-secret", Duration.ofMillis(400), Duration.ofMillis(2500), new BusRelay.Events() {
            @Override
            public void onJoined(int slot, int workerId, long pid) {
                events.add("joined " + slot);
            }

            @Override
            public void onLeft(int slot, int workerId) {
                events.add("left " + slot);
            }

            @Override
            public void onStalled(int slot, int workerId, long silentMs) {
                assertThat(silentMs).isGreaterThanOrEqualTo(400);
                events.add("stalled " + slot);
            }

            @Override
            public void onResumed(int slot, int workerId, long silentMs) {
                events.add("resumed " + slot);
            }

            @Override
            public void onUnresponsive(int slot, int workerId) {
                events.add("unresponsive " + slot);
            }

            @Override
            public void onControl(int slot, int workerId, Buffer payload) {
            }
        });
        port = relay.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void aSilentWorkerIsStalledThenResumesThenIsRemovedAfterTheStallTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            Buffer hello = Buffer.buffer().appendInt(7).appendInt(2).appendLong(1234).appendInt(SECRET.length)
                    .appendBytes(SECRET);
            out.write(Frames.frame(Frames.HELLO, hello).getBytes());
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.connected(7));

            // silent past the heartbeat timeout: stalled, still connected
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("stalled 7"));
            assertThat(relay.connected(7)).isTrue();
            assertThat(events).doesNotContain("unresponsive 7");

            // a heartbeat: resumed, and stalled again only after another silence
            out.write(Frames.frame(Frames.HEARTBEAT, null).getBytes());
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("resumed 7"));
            assertThat(relay.connected(7)).isTrue();

            // silent for good: stalled again, then removed once the stall timeout has passed
            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("unresponsive 7"));
            assertThat(relay.connected(7)).isFalse();
            assertThat(events).containsSubsequence("joined 7", "stalled 7", "resumed 7", "stalled 7", "unresponsive 7");
            assertThat(events.stream().filter(e -> e.equals("stalled 7")).count()).isEqualTo(2);
        }
    }
}
