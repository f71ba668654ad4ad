package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.qsio.it.nodesuites.ClusterLayout.Pinned;
import dev.qsio.it.nodesuites.cluster.EngineSessions;
import dev.qsio.it.support.FrameSocket;

/**
 * {@code socket.io-cluster-engine/test/in-memory.ts}: three engines on an in-memory bus in Node, the servers of a
 * layout here ({@link ClusterCases}). Node's lock cases check that a session has one poll at a time across servers;
 * its ping/pong case also checks that the engines' maps of pending requests are empty after it, Node's internals,
 * which have no counterpart here (the forwarded request ends with its answer).
 */
@NodeFile("socket.io-cluster-engine/test/in-memory.ts")
abstract class ClusterEngineInMemoryCases extends ClusterEngineCases {

    @Test
    @NodeCase("in-memory > should work (read)")
    void shouldWorkRead() {
        String sid = handshake(0, "hello");
        assertThat(firstPacketNotPing(1, sid)).isEqualTo("4hello");
    }

    @Test
    @NodeCase("in-memory > should work (read - deferred)")
    void shouldWorkReadDeferred() {
        String sid = handshake(0, "deferred");
        assertThat(firstPacketNotPing(1, sid)).isEqualTo("4hello");
    }

    @Test
    @NodeCase("in-memory > should work (write)")
    void shouldWorkWrite() {
        String sid = handshake(0, "");
        Pinned.Response r = post(1, sid, "4hello");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(awaitReceived(sid, 1)).containsExactly("hello");
    }

    @Test
    @NodeCase("in-memory > should work (write - multiple)")
    void shouldWorkWriteMultiple() {
        String sid = handshake(0, "");
        assertThat(post(1, sid, "41\u001e42\u001e43").status()).isEqualTo(200);
        assertThat(post(0, sid, "44\u001e45").status()).isEqualTo(200);
        assertThat(post(1, sid, "46").status()).isEqualTo(200);
        assertThat(awaitReceived(sid, 6)).containsExactly("1", "2", "3", "4", "5", "6");
    }

    @Test
    @NodeCase("in-memory > should acquire read lock (different process)")
    void shouldAcquireReadLockDifferentProcess() {
        readLock(0, 1);
    }

    @Test
    @NodeCase("in-memory > should acquire read lock (same process)")
    void shouldAcquireReadLockSameProcess() {
        readLock(1, 0);
    }

    /**
     * A poll waits on server {@code first} for a session of server 0; a second poll on server {@code second} is
     * refused with 400, whichever server the first waits on.
     */
    void readLock(int first, int second) {
        String sid = handshake(0, "");
        try (Pinned waiting = layout().pin(layout().server(first));
                Pinned refused = layout().pin(layout().server(second))) {
            CompletableFuture<Pinned.Response> poll = pollBetweenPings(sid, waiting);
            Pinned.Response r = refused.send("GET", query(sid), null);
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(poll.join().status()).as("the first poll").isEqualTo(200);
        }
    }

    /**
     * Sends a poll on {@code waiting} right after a ping and its pong, so that it waits for the next ping (100 ms
     * later, the layouts' heartbeat), as Node's poll waits, with no packet for it; returns it once it has waited
     * 20 ms. Node's engine 1 pings every 25 s.
     */
    CompletableFuture<Pinned.Response> pollBetweenPings(String sid, Pinned waiting) {
        assertThat(get(0, sid).body()).isEqualTo("2");
        assertThat(post(0, sid, "3").status()).isEqualTo(200);
        CompletableFuture<Pinned.Response> poll = waiting.sendAsync("GET", query(sid), null);
        // polled every 5 ms from the start (Awaitility's first look is 100 ms later by default: a ping's time)
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).during(Duration.ofMillis(20))
                .atMost(Duration.ofSeconds(2)).until(() -> !poll.isDone());
        return poll;
    }

    @Test
    @NodeCase("in-memory > should handle close from main process")
    void shouldHandleCloseFromMainProcess() {
        String sid = handshake(0, "close");
        assertThat(firstPacketNotPing(1, sid)).isEqualTo("1");
    }

    @Test
    @NodeCase("in-memory > should handle close from client")
    void shouldHandleCloseFromClient() {
        String sid = handshake(0, "");
        // the application has the session (across hosts, 300 ms after the handshake): a session that ends before it
        // is never handed to it, in Node as here
        state(sid);
        Pinned waiting = layout().pin(layout().server(1));
        pollBetweenPings(sid, waiting);
        // Node's controller.abort(): the poll's connection goes, on the server that does not own the session
        waiting.close();
        assertThat(awaitClosed(sid)).isEqualTo("transport error");
    }

    @Test
    @NodeCase("in-memory > should ping/pong")
    void shouldPingPong() {
        pingPong(2);
    }

    @Test
    @NodeCase("in-memory > should reject an invalid id")
    void shouldRejectAnInvalidId() {
        Pinned.Response r = get(1, "01234567890123456789");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Session ID unknown");
    }

    @Test
    @NodeCase("in-memory > should upgrade")
    void shouldUpgrade() throws Exception {
        String sid = handshake(0, "upgrade");
        try (Pinned p = layout().pin(layout().server(1));
                FrameSocket ws = FrameSocket.upgrade(p.socket, websocket(sid))) {
            ws.sendText("2probe");
            assertThat(ws.nextTextStartingWith("3")).isEqualTo("3probe");
            ws.sendText("5");
            assertThat(ws.nextTextStartingWith("4")).isEqualTo("4hello");
            ws.sendText("4hi");
            // the server closes the session on "hi", and with it the WebSocket
            assertThat(ws.awaitCloseCode()).isNotEqualTo(-1);
        }
        assertThat(awaitReceived(sid, 1)).containsExactly("hi");
        assertThat(state(sid).path("upgraded").asText()).isEqualTo("websocket");
        assertThat(awaitClosed(sid)).isEqualTo("forced close");
    }

    @Test
    @NodeCase("in-memory > should upgrade and send buffered messages")
    void shouldUpgradeAndSendBufferedMessages() throws Exception {
        String sid = handshake(0, "upgrade");
        assertThat(post(1, sid, "4hi").status()).isEqualTo(200);
        try (Pinned p = layout().pin(layout().server(1));
                FrameSocket ws = FrameSocket.upgrade(p.socket, websocket(sid))) {
            ws.sendText("2probe");
            assertThat(ws.nextTextStartingWith("3")).isEqualTo("3probe");
            ws.sendText("5");
            assertThat(ws.nextTextStartingWith("4")).isEqualTo("4hello");
        }
        assertThat(awaitReceived(sid, 1)).containsExactly("hi");
        assertThat(state(sid).path("upgraded").asText()).isEqualTo("websocket");
    }

    static String websocket(String sid) {
        return EngineSessions.PATH + "?EIO=4&transport=websocket&sid=" + sid;
    }
}
