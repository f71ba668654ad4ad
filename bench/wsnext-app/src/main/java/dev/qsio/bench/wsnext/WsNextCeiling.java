package dev.qsio.bench.wsnext;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.qsio.bench.ceiling.CeilingProtocol;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * The ceilings' protocol on a {@code quarkus-websockets-next} endpoint, written as its documentation shows: the
 * event loop execution model (methods returning {@code Uni}), and a room's broadcast through the connection's
 * {@code broadcast()} filtered to the room's members. No Engine.IO or Socket.IO work, no JSON parsing: what the
 * endpoint itself costs, next to bare Vert.x and raw Netty.
 */
@WebSocket(path = "/socket.io/")
public class WsNextCeiling {

    /** The members of room "r", by connection id. */
    private static final Set<String> MEMBERS = ConcurrentHashMap.newKeySet();

    @OnOpen
    Uni<Void> open(WebSocketConnection connection) {
        return connection.sendText(CeilingProtocol.open(connection.id()));
    }

    @OnTextMessage
    Uni<Void> message(WebSocketConnection connection, String text) {
        if (text.startsWith("40")) {
            return connection.sendText(CeilingProtocol.connected(connection.id()));
        }
        CeilingProtocol.Event e = CeilingProtocol.event(text);
        if (e == null) {
            return Uni.createFrom().voidItem();
        }
        return switch (e.name()) {
            case "pub" -> connection.broadcast().filter(c -> MEMBERS.contains(c.id())).sendText(e.broadcast());
            case "all" -> connection.broadcast().sendText(e.broadcast());
            case "echo" -> connection.sendText(e.echo());
            case "join" -> {
                MEMBERS.add(connection.id());
                yield e.ackId().isEmpty() ? Uni.createFrom().voidItem() : connection.sendText(e.ack(""));
            }
            default -> e.ackId().isEmpty() ? Uni.createFrom().voidItem()
                    : connection.sendText(e.ack(CeilingProtocol.PID));
        };
    }

    @OnClose
    void close(WebSocketConnection connection) {
        MEMBERS.remove(connection.id());
    }
}
