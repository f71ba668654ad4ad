package dev.qsio.test.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.EngineListener;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Node's {@code socket.conn.on("upgrade" | "packet" | "packetCreate" | "drain")}: {@code socket.conn().on(listener)}
 * sees the upgrade from polling, the packets in, the packets out (a broadcast's included) and the drains.
 */
class ConnEventsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest().withApplicationRoot(root -> root.addClasses(Main.class));

    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @SocketIo("/")
    public static class Main {
        @OnConnect
        void connect(SocketIoSocket socket) {
            socket.conn().on(new EngineListener() {
                @Override
                public void upgrade(String transport) {
                    SEEN.add("upgrade " + transport);
                }

                @Override
                public void packet(String type, Object data) {
                    SEEN.add("in " + type + " " + data);
                }

                @Override
                public void packetCreate(String type, Object data) {
                    SEEN.add("out " + type + " " + data);
                }

                @Override
                public void drain() {
                    SEEN.add("drain");
                }
            });
            // as in Node (socket.conn.transport.name beside socket.conn.once("upgrade")): the handler runs after the
            // CONNECT answer, on a worker thread, and the client probes WebSocket from its handshake on, so the upgrade
            // may be over before the listener was added. Read after adding it: still polling means it sees the upgrade
            SEEN.add("transport at connect " + socket.conn().transport());
        }

        @OnEvent("shout")
        String shout(SocketIoSocket socket, String text) {
            socket.emit("direct", text);
            return "ok";
        }
    }

    @Inject
    SocketIoServer io;

    @Test
    void eventsOfTheSession() {
        try (ClientSocket client = SocketIoConnector.create().transports(Transport.POLLING, Transport.WEBSOCKET)
                .connectAndAwait()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> SEEN.contains("upgrade websocket")
                    || SEEN.contains("transport at connect websocket"));
            if (SEEN.contains("transport at connect polling")) {
                // the listener was added while the session was still polling: it sees the upgrade
                await().atMost(Duration.ofSeconds(20)).until(() -> SEEN.contains("upgrade websocket"));
            }
            assertThat(client.emitAndAwaitAck("shout", "hi").arg().asText()).isEqualTo("ok");
            io.emit("everyone", "all");
            client.awaitEvent("everyone");
            await().atMost(Duration.ofSeconds(10)).until(() -> SEEN.stream().anyMatch(s -> s.contains("everyone")));
            assertThat(SEEN).anyMatch(s -> s.startsWith("in message ") && s.contains("shout"))
                    .anyMatch(s -> s.startsWith("out message ") && s.contains("direct"))
                    .anyMatch(s -> s.startsWith("out message ") && s.contains("everyone"))
                    .contains("drain");
        }
    }
}
