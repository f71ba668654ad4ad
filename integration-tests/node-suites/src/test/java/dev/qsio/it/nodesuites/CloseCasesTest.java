package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.Middleware;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * {@code socket.io/test/close.ts}, the protocol violations: raw Engine.IO polling requests, as Node's
 * {@code eioHandshake}, {@code eioPush} and {@code eioPoll} send them, to the main namespace. A session that breaks
 * the Socket.IO protocol is closed cleanly: its last poll carries the close packet ({@code 1}), after what was queued
 * before it. Node's answer puts a noop ({@code 6}) before the close packet; the noop is its engine's way of ending a
 * poll and means nothing to a client, so either answer is taken. The other cases of the file close a Node
 * {@code http.Server} or check that a Node process exits, and are written off in {@code node-cases.tsv}.
 */
@QuarkusTest
@NodeFile("socket.io/test/close.ts")
class CloseCasesTest extends NodeCases {

    /** The packets of a closing session's last poll: the close packet, maybe after a noop. */
    static void isTheClose(List<String> packets) {
        assertThat(packets).isNotEmpty();
        assertThat(packets.get(packets.size() - 1)).isEqualTo("1");
        assertThat(packets.subList(0, packets.size() - 1)).allMatch("6"::equals);
    }

    /**
     * A session that sends a CONNECT to the main namespace and {@code violation} right after it, as Node's case does:
     * the CONNECT's answer, then the close. The main namespace of this module has a middleware, so the violation
     * arrives while the CONNECT is still being admitted; the close waits for its answer.
     */
    void connectedThen(String violation) throws Exception {
        String sid = handshake();
        push(sid, "40");
        push(sid, violation);
        List<String> first = poll(sid);
        assertThat(first.get(0)).startsWith("40{\"sid\":");
        isTheClose(first.size() > 1 ? first.subList(1, first.size()) : poll(sid));
    }

    @Test
    @NodeCase("close > protocol violations > should close the connection when receiving several CONNECT packets")
    void aSecondConnectClosesTheSession() throws Exception {
        connectedThen("40");
    }

    @Test
    @NodeCase("close > protocol violations > should close the connection when receiving an EVENT packet while not connected")
    void anEventBeforeConnectClosesTheSession() throws Exception {
        String sid = handshake();
        push(sid, "42[\"some event\"]");
        isTheClose(poll(sid));
    }

    @Test
    @NodeCase("close > protocol violations > should close the connection when receiving an invalid packet")
    void anInvalidPacketClosesTheSession() throws Exception {
        connectedThen("4abc");
    }

    /** A namespace whose middleware takes a while: a CONNECT to it is being admitted for 300 ms. */
    @SocketIo("/close-slow")
    static class Slow {
        @Inject
        Vertx vertx;

        @Middleware
        Uni<Void> slowly(SocketIoSocket socket) {
            return MiddlewareCasesTest.after(vertx, 300, () -> {
            });
        }
    }

    /**
     * Not a case of Node's (its middleware-less CONNECT is answered before the next packet is read): a violation while
     * a CONNECT is being admitted waits for that CONNECT's answer, then closes the connection; a packet after the
     * violation is not read.
     */
    @Test
    void aViolationDuringAdmissionClosesAfterTheAnswer() throws Exception {
        String sid = handshake();
        push(sid, "40/close-slow,");
        push(sid, "40/close-slow,");
        push(sid, "42/close-slow,[\"after\"]");
        List<String> first = poll(sid);
        assertThat(first.get(0)).startsWith("40/close-slow,{\"sid\":");
        isTheClose(first.size() > 1 ? first.subList(1, first.size()) : poll(sid));
    }
}
