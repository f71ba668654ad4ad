package dev.qsio.it.features;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.Ack;
import dev.qsio.AckTimeoutException;
import dev.qsio.ConnectionRefusedException;
import dev.qsio.Middleware;
import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.OnError;
import dev.qsio.OnEvent;
import dev.qsio.RemoteSocket;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.it.features.Messages.Chat;
import dev.qsio.it.features.Messages.Receipt;
import dev.qsio.it.features.Messages.RoomMessage;
import dev.qsio.it.features.Messages.Sum;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/** Exercises the server API from handlers of the main namespace. */
@SocketIo("/")
public class MainNamespace {

    @Inject
    SocketIoServer io;

    @Inject
    Disconnects disconnects;

    @Middleware
    void authenticate(SocketIoSocket socket) {
        JsonNode token = socket.handshake().auth().get("token");
        if (token != null && token.asText().equals("bad")) {
            throw new ConnectionRefusedException("not authorized", java.util.Map.of("reason", "bad token"));
        }
    }

    /** Socket ids whose next CONNECT {@link #holdWhenAsked} holds until its connection closes (RecoveryIT). */
    static final Set<String> HOLD_NEXT = ConcurrentHashMap.newKeySet();
    /** The socket ids whose CONNECT is held now, and those whose connection closed while it was held. */
    static final Set<String> HOLDING = ConcurrentHashMap.newKeySet();
    static final Set<String> CLOSED_WHILE_HELD = ConcurrentHashMap.newKeySet();

    @Inject
    Vertx vertx;

    /**
     * Holds the CONNECT of a socket named by {@code hold-next-connect} (a restored socket keeps its id) until its
     * connection closes, 30 s at most: a connection that closes before its socket is connected.
     */
    @Middleware
    Uni<Void> holdWhenAsked(SocketIoSocket socket) {
        if (HOLD_NEXT.isEmpty() || !HOLD_NEXT.remove(socket.id())) {
            return Uni.createFrom().voidItem();
        }
        HOLDING.add(socket.id());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        return Uni.createFrom().emitter(done -> vertx.setPeriodic(20, timer -> {
            boolean closed = !socket.conn().isOpen();
            if (closed || System.nanoTime() > deadline) {
                vertx.cancelTimer(timer);
                if (closed) {
                    CLOSED_WHILE_HELD.add(socket.id());
                }
                HOLDING.remove(socket.id());
                done.complete(null);
            }
        }));
    }

    @OnEvent("hold-next-connect")
    String holdNextConnect(SocketIoSocket socket) {
        HOLD_NEXT.add(socket.id());
        return "held";
    }

    /** Whether the CONNECT of socket {@code sid} is held now, and whether its connection closed while held. */
    @OnEvent("connect-held")
    List<Boolean> connectHeld(String sid) {
        return List.of(HOLDING.contains(sid), CLOSED_WHILE_HELD.contains(sid));
    }

    @OnConnect
    void connected(SocketIoSocket socket) {
        JsonNode name = socket.handshake().auth().get("name");
        socket.data().put("name", name == null ? "anonymous" : name.asText());
        socket.emit("welcome", socket.id(), socket.data().get("name"));
    }

    @OnEvent("join")
    String join(SocketIoSocket socket, String room) {
        socket.join(room);
        return "joined " + room;
    }

    @OnEvent("leave")
    String leave(SocketIoSocket socket, String room) {
        socket.leave(room);
        return "left " + room;
    }

    @OnEvent("rooms")
    List<String> rooms(SocketIoSocket socket) {
        return socket.rooms().stream().sorted().toList();
    }

    /** To the room, except the sender. */
    @OnEvent("to-room")
    void toRoom(SocketIoSocket socket, RoomMessage message) {
        socket.to(message.room()).emit("room-message", message, socket.id());
    }

    /** To the room, sender included. */
    @OnEvent("to-room-all")
    void toRoomAll(RoomMessage message) {
        io.to(message.room()).emit("room-message", message, "server");
    }

    /** To everyone but the sender. */
    @OnEvent("broadcast")
    void broadcast(SocketIoSocket socket, JsonNode data) {
        socket.broadcast().emit("broadcast", data);
    }

    /** To everyone. */
    @OnEvent("everyone")
    void everyone(JsonNode data) {
        io.emit("everyone", data);
    }

    /** To everyone not in the room. */
    @OnEvent("except")
    void except(String room, String text) {
        io.except(room).emit("except", text);
    }

    @OnEvent("volatile")
    void volatileEmit(String text) {
        io.volatile_().emit("volatile", text);
    }

    /** Asks the sender a question and acknowledges with its answer. */
    @OnEvent("ask")
    Uni<JsonNode> ask(SocketIoSocket socket, long timeoutMs) {
        return socket.timeout(Duration.ofMillis(timeoutMs)).emitWithAck("question", "ready?")
                .onFailure(AckTimeoutException.class).recoverWithItem(e -> com.fasterxml.jackson.databind.node.TextNode.valueOf("timeout: " + e.getMessage()));
    }

    /** Asks everyone in a room and acknowledges with all answers, or the timeout error. */
    @OnEvent("ask-room")
    Uni<Object> askRoom(String room, long timeoutMs) {
        return io.to(room).timeout(Duration.ofMillis(timeoutMs)).emitWithAck("question", "room?")
                .map(answers -> (Object) answers)
                .onFailure(AckTimeoutException.class).recoverWithItem(e -> {
                    AckTimeoutException t = (AckTimeoutException) e;
                    return java.util.Map.of("error", "timeout", "received", t.received(), "expected", t.expected());
                });
    }

    @OnEvent("upper")
    Uni<String> upper(String text) {
        return Uni.createFrom().item(text.toUpperCase());
    }

    @OnEvent("sum")
    CompletionStage<Sum> sum(int a, int b) {
        return CompletableFuture.supplyAsync(() -> new Sum(a + b));
    }

    @OnEvent("record")
    Receipt record(Chat chat) {
        return new Receipt(chat.text().length(), chat.text().toUpperCase() + chat.tags());
    }

    @OnEvent("reverse")
    byte[] reverse(byte[] data) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[data.length - 1 - i];
        }
        return out;
    }

    @OnEvent("later")
    void later(String text, Ack ack) {
        CompletableFuture.runAsync(() -> ack.send("later", text));
    }

    @OnEvent("order")
    void order(SocketIoSocket socket, int n) {
        socket.emit("order-back", n);
    }

    @OnEvent("fetch")
    Uni<List<String>> fetch(String room) {
        return io.in(room).fetchSockets().map(sockets -> sockets.stream().map(RemoteSocket::id).sorted().toList());
    }

    @OnEvent("sockets-join")
    void socketsJoin(String room, String target) {
        io.in(room).socketsJoin(target);
    }

    @OnEvent("sockets-leave")
    void socketsLeave(String room, String target) {
        io.in(room).socketsLeave(target);
    }

    @OnEvent("disconnect-room")
    void disconnectRoom(String room) {
        io.in(room).disconnectSockets(false);
    }

    @OnEvent("kick")
    void kick(SocketIoSocket socket) {
        socket.disconnect(false);
    }

    @OnEvent("close-me")
    void closeMe(SocketIoSocket socket) {
        socket.disconnect(true);
    }

    @OnEvent("fail")
    void fail(String message) {
        throw new IllegalStateException(message);
    }

    @OnError
    void failed(SocketIoSocket socket, IllegalStateException e) {
        socket.emit("error-seen", e.getMessage());
    }

    @OnDisconnect
    void left(SocketIoSocket socket, String reason) {
        disconnects.record(socket.id(), reason);
    }
}
