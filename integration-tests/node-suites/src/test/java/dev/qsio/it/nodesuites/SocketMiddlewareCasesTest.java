package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.qsio.EventArgs;
import dev.qsio.OnConnect;
import dev.qsio.OnError;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * {@code socket.io/test/socket-middleware.ts}: Node's {@code socket.use((event, next) => ...)} is
 * {@code socket.use(PacketMiddleware)} here. Node's own {@code socket.on("error")} is an {@link OnError} method of the
 * namespace.
 */
@QuarkusTest
@NodeFile("socket.io/test/socket-middleware.ts")
class SocketMiddlewareCasesTest extends NodeCases {

    @SocketIo("/socket-mw-functions")
    static class Functions {
        @OnConnect
        void connect(SocketIoSocket socket) {
            AtomicInteger run = new AtomicInteger();
            socket.data().put("run", run);
            socket.use((s, event) -> {
                // Node's event.unshift("wrap"): the event "join" becomes "wrap" with "join" as its first argument
                s.data().put("first saw", event.event() + event.values());
                run.incrementAndGet();
                List<JsonNode> args = new ArrayList<>();
                args.add(TextNode.valueOf(event.event()));
                args.addAll(event.values());
                return Uni.createFrom().item(new EventArgs("wrap", args));
            });
            socket.use((s, event) -> {
                s.data().put("second saw", event.event() + event.values());
                run.incrementAndGet();
                return Uni.createFrom().voidItem();
            });
        }

        @OnEvent("wrap")
        void wrap(SocketIoSocket socket, String data1, String data2) {
            socket.emit("outcome", data1, data2, socket.data().get("run").toString(), socket.data().get("first saw"),
                    socket.data().get("second saw"));
        }

        @OnEvent("join")
        void join(SocketIoSocket socket, String room) {
            socket.emit("outcome", "join reached its handler");
        }
    }

    @Test
    @NodeCase("socket middleware > should call functions")
    void middlewareRunsInOrderAndMayRewriteTheEvent() {
        String id = connect("/socket-mw-functions");
        driver.emit(id, "join", "woot");
        assertThat(outcome(id)).isEqualTo("[\"join\",\"woot\",\"2\",\"join[\\\"woot\\\"]\",\"wrap[\\\"join\\\", \\\"woot\\\"]\"]");
    }

    static final AtomicInteger SECOND_RAN = new AtomicInteger();
    static final AtomicInteger HANDLED = new AtomicInteger();

    @SocketIo("/socket-mw-errors")
    static class Errors {
        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.use((s, event) -> Uni.createFrom().failure(new IllegalStateException("Authentication error")));
            socket.use((s, event) -> {
                SECOND_RAN.incrementAndGet();
                return Uni.createFrom().voidItem();
            });
        }

        @OnEvent("join")
        void join(SocketIoSocket socket, String room) {
            HANDLED.incrementAndGet();
        }

        @OnError
        void error(SocketIoSocket socket, Throwable error) {
            socket.emit("outcome", error.getClass().getSimpleName(), error.getMessage(), SECOND_RAN.get(),
                    HANDLED.get());
        }
    }

    @Test
    @NodeCase("socket middleware > should pass errors")
    void aFailureStopsTheEventAndReachesTheErrorHandler() {
        String id = connect("/socket-mw-errors");
        driver.await(id, "connect");
        driver.emit(id, "join", "woot");
        assertThat(outcome(id)).isEqualTo("[\"IllegalStateException\",\"Authentication error\",0,0]");
    }
}
