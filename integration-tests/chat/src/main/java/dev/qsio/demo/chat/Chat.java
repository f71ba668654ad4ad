package dev.qsio.demo.chat;

import jakarta.inject.Inject;

import dev.qsio.ClusterInfo;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

/** The chat: every client in the main namespace, rooms on demand. */
@SocketIo("/")
public class Chat {

    public record Hello(int worker, long pid, String node) {
    }

    public record Message(String text, String from, int worker, String room) {
    }

    public record Ok(boolean ok, Integer worker) {
    }

    public record RoomText(String room, String text) {
    }

    @Inject
    ClusterInfo cluster;

    @OnConnect
    void hello(SocketIoSocket socket) {
        socket.emit("hello", new Hello(cluster.workerId(), cluster.pid(), cluster.nodeId()));
    }

    /** A message for everyone else; the ack says which worker relayed it. */
    @OnEvent("chat")
    Ok chat(SocketIoSocket socket, String text) {
        socket.broadcast().emit("chat", new Message(text, socket.id(), cluster.workerId(), null));
        return new Ok(true, cluster.workerId());
    }

    @OnEvent("join")
    Ok join(SocketIoSocket socket, String room) {
        socket.join(room);
        return new Ok(true, null);
    }

    /** A message for the others in a room. */
    @OnEvent("room")
    void room(SocketIoSocket socket, RoomText message) {
        socket.to(message.room()).emit("chat", new Message(message.text(), socket.id(), cluster.workerId(), message.room()));
    }
}
