package dev.qsio.it.features;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
