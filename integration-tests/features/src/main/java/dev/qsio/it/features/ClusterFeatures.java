package dev.qsio.it.features;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.BroadcastContext;
import dev.qsio.ClusterInfo;
import dev.qsio.OnBroadcast;
import dev.qsio.OnEvent;
import dev.qsio.RemoteSocket;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.smallrye.mutiny.Uni;

/** The cluster-wide API, exercised from clients connected to different workers. */
@SocketIo("/")
public class ClusterFeatures {

    @Inject
    SocketIoServer io;

    @Inject
    ClusterInfo cluster;

    @Inject
    Broadcasts broadcasts;

    @Inject
    ClusterObservers observers;

    /** The messages the primary sent to this worker. */
    @OnEvent("messages")
    List<JsonNode> messages() {
        return observers.messages();
    }

    /** How many broadcasts of "everyone" this worker's @OnBroadcast method saw, and from which workers. */
    @OnEvent("everyone-seen")
    List<Integer> everyoneSeen() {
        return broadcasts.seen().stream().map(s -> s.context().originWorker()).toList();
    }

    /** What this worker's @OnBroadcast("notify") received. */
    final List<String> notifications = new CopyOnWriteArrayList<>();

    @OnEvent("whoami")
    int whoami() {
        return cluster.workerId();
    }

    /** The server of this socket: node and worker, as "node/worker". */
    @OnEvent("where")
    String where() {
        return cluster.nodeId() + "/" + cluster.workerId();
    }

    /** Where the broadcasts of "everyone" seen by this server's @OnBroadcast method came from: "node/worker". */
    @OnEvent("everyone-origins")
    List<String> everyoneOrigins() {
        return broadcasts.seen().stream().map(s -> s.context().originNode() + "/" + s.context().originWorker()).toList();
    }

    /** Numbered broadcasts to a room: [origin, 0..count-1]. */
    @OnEvent("burst")
    int burst(String origin, int count, String room) {
        for (int i = 0; i < count; i++) {
            io.to(room).emit("n", origin, i);
        }
        return count;
    }

    /**
     * One numbered broadcast to a room, [origin, seq], acknowledged with its number once handed to the adapter: the
     * fault campaign's stream. The events of one socket are handled in order, so each origin's numbers leave its
     * server in order.
     */
    @OnEvent("publish")
    long publish(String origin, long seq, String room) {
        io.to(room).emit("n", origin, seq);
        return seq;
    }

    /**
     * The overload campaign's stream: as {@code publish}, with the time the publisher sent it (its clock, milliseconds)
     * and a padding string, so that each receiver measures the delivery's latency and the stream has a size.
     */
    @OnEvent("publish-at")
    long publishAt(String origin, long seq, String room, long sentAt, String pad) {
        io.to(room).emit("n", origin, seq, sentAt, pad);
        return seq;
    }

    /** A steady stream of numbered broadcasts to a room: [origin, 0..count-1], one every intervalMs. */
    @OnEvent("stream")
    int stream(String origin, int count, int intervalMs, String room) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            io.to(room).emit("n", origin, i);
            // pacing is the point: a steady stream that goes on while the tests inject faults
            Thread.sleep(intervalMs);
        }
        return count;
    }

    /** Allocates until the heap is exhausted: what a leak in a handler does to a worker. */
    @OnEvent("exhaust-memory")
    int exhaustMemory() {
        List<byte[]> held = new ArrayList<>();
        while (true) {
            held.add(new byte[1 << 20]);
            if (held.size() == Integer.MAX_VALUE) {
                return held.size();
            }
        }
    }

    /** Like stream, each event carrying {@code size} characters more: [origin, i, padding]. */
    @OnEvent("heavy-stream")
    int heavyStream(String origin, int count, int intervalMs, String room, int size) throws InterruptedException {
        String padding = "x".repeat(size);
        for (int i = 0; i < count; i++) {
            io.to(room).emit("n", origin, i, padding);
            // paced on purpose: a client that reads keeps up, one that does not falls behind by the stream's size
            Thread.sleep(intervalMs);
        }
        return count;
    }

    /** One event of a heavy stream, {@code size} characters of padding: [origin, index, padding]. */
    @OnEvent("heavy-at")
    int heavyAt(String origin, int index, String room, int size) {
        io.to(room).emit("n", origin, index, "x".repeat(size));
        return index;
    }

    /** Numbered events to the asking socket alone, one every intervalMs: [origin, 0..count-1]. */
    @OnEvent("own-stream")
    int ownStream(SocketIoSocket socket, String origin, int count, int intervalMs) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            socket.emit("n", origin, i);
            // paced: the socket's own stream goes on while the test drops and recovers its connection
            Thread.sleep(intervalMs);
        }
        return count;
    }

    @OnEvent("servers")
    Uni<Integer> servers() {
        return io.serverCount();
    }

    @OnEvent("ping-servers")
    Uni<List<JsonNode>> pingServers() {
        return io.serverSideEmitWithAck("ping", cluster.workerId());
    }

    @OnBroadcast("ping")
    String pong(int from, BroadcastContext context) {
        return "pong from " + cluster.workerId() + " to " + from + " (origin worker " + context.originWorker() + ") at "
                + cluster.nodeId() + " from " + context.originNode();
    }

    @OnEvent("notify-servers")
    void notifyServers(String text) {
        io.serverSideEmit("notify", text);
    }

    @OnBroadcast("notify")
    void notified(String text, BroadcastContext context) {
        notifications.add(text + " from worker " + context.originWorker());
    }

    @OnEvent("notifications")
    List<String> notifications() {
        return notifications;
    }

    /** The sockets of a room on every worker, with what the other workers know of them. */
    @OnEvent("fetch-details")
    Uni<List<Map<String, Object>>> fetchDetails(String room) {
        return io.in(room).fetchSockets().map(sockets -> sockets.stream().map(s -> Map.<String, Object> of(
                "id", s.id(),
                "rooms", s.rooms().stream().sorted().toList(),
                "name", String.valueOf(s.data().get("name")),
                "auth", s.handshake().auth(),
                "remote", !(s instanceof SocketIoSocket))).toList());
    }

    /** Acts on another socket found with fetchSockets, wherever it is connected. */
    @OnEvent("remote-action")
    Uni<String> remoteAction(String target, String action, String argument) {
        return io.in(target).fetchSockets().map(found -> {
            if (found.isEmpty()) {
                return "not found";
            }
            RemoteSocket s = found.get(0);
            switch (action) {
                case "emit" -> s.emit("direct", argument);
                case "join" -> s.join(argument);
                case "leave" -> s.leave(argument);
                case "disconnect" -> s.disconnect(false);
                default -> {
                    return "unknown action";
                }
            }
            return action + " done";
        });
    }

    /** A broadcast with acknowledgements to a room, answered with every answer or the timeout. */
    @OnEvent("ask-room-timeout")
    Uni<Object> askRoom(String room, long timeoutMs) {
        long start = System.nanoTime();
        return io.to(room).timeout(Duration.ofMillis(timeoutMs)).emitWithAck("question", "room?")
                .map(answers -> (Object) Map.of("answers", answers, "ms", (System.nanoTime() - start) / 1_000_000))
                .onFailure().recoverWithItem(e -> Map.of("error", e.getMessage(), "ms", (System.nanoTime() - start) / 1_000_000));
    }

    /**
     * A broadcast with acknowledgements to a room, answered with every argument of every answer ({@code event} and
     * {@code values} of each) or the error.
     */
    @OnEvent("ask-room-args")
    Uni<Object> askRoomArgs(String room, long timeoutMs) {
        return io.to(room).timeout(Duration.ofMillis(timeoutMs)).emitWithAckArgs("question", "room?")
                .map(answers -> (Object) Map.of("answers", answers.stream()
                        .map(a -> Map.of("event", a.event(), "values", a.values())).toList()))
                .onFailure().recoverWithItem(e -> Map.of("error", e.getMessage()));
    }

    /**
     * The serverSideEmitWithAck of "late", which the other servers answer after {@code delayMs}: answered with their
     * answers or the error, and how long it took.
     */
    @OnEvent("ask-servers-late")
    Uni<Object> askServersLate(long delayMs) {
        long start = System.nanoTime();
        return io.serverSideEmitWithAck("late", delayMs)
                .map(answers -> (Object) Map.of("answers", answers, "ms", (System.nanoTime() - start) / 1_000_000))
                .onFailure().recoverWithItem(e -> Map.of("error", String.valueOf(e.getMessage()), "ms",
                        (System.nanoTime() - start) / 1_000_000));
    }

    /** How many serverSideEmits of "late" this server received. */
    final AtomicInteger lateAsked = new AtomicInteger();

    @OnBroadcast("late")
    Uni<String> late(long delayMs) {
        lateAsked.incrementAndGet();
        return Uni.createFrom().item("late from " + cluster.workerId()).onItem().delayIt()
                .by(Duration.ofMillis(delayMs));
    }

    @OnEvent("late-asked")
    int lateAsked() {
        return lateAsked.get();
    }

    /** fetchSockets, answered with the ids or the error, and how long it took. */
    @OnEvent("fetch-timed")
    Uni<Object> fetchTimed(String room) {
        long start = System.nanoTime();
        return io.in(room).fetchSockets()
                .map(s -> (Object) Map.of("count", s.size(), "ms", (System.nanoTime() - start) / 1_000_000))
                .onFailure().recoverWithItem(e -> Map.of("error", String.valueOf(e.getMessage()), "ms",
                        (System.nanoTime() - start) / 1_000_000));
    }
}
