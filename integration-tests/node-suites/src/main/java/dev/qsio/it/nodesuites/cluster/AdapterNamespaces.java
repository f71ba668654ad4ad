package dev.qsio.it.nodesuites.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.AckTimeoutException;
import dev.qsio.ClusterInfo;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.smallrye.mutiny.Uni;

/**
 * The server side of {@code socket.io-cluster-adapter/test/index.ts} (its {@code worker.js}): each case has namespaces
 * of its own ({@code /adapter-<n>}, and {@code /adapter-<n>-custom} for the case of another namespace), so that the
 * sockets of one case never meet another's. Node's test sends a worker a message ({@code workers[0].send(...)}); here
 * a client of that server emits {@code do} with the operation's name, and the handler runs it on the server the client
 * is connected to, with this extension's API, and acknowledges what came of it.
 */
@SocketIo(pattern = "/adapter-\\d+(-custom)?")
public class AdapterNamespaces {

    static final Duration ACK_TIMEOUT = Duration.ofMillis(500);

    @Inject
    SocketIoServer io;

    @Inject
    ClusterInfo cluster;

    /** The server of this socket: node and worker, as {@code "node/worker"}. */
    @OnEvent("where")
    String where() {
        return cluster.nodeId() + "/" + cluster.workerId();
    }

    /** Node's {@code "get rooms"}: the rooms of the socket, its own id among them. */
    @OnEvent("rooms")
    List<String> rooms(SocketIoSocket socket) {
        return socket.rooms().stream().sorted().toList();
    }

    /** Node's {@code "join room1"} and the like: the socket joins the rooms. */
    @OnEvent("join")
    List<String> join(SocketIoSocket socket, List<String> rooms) {
        socket.join(rooms.toArray(String[]::new));
        return rooms(socket);
    }

    /** The answer a server-side emit of this case gets from this server ({@link ServerSideEmits}). */
    @OnEvent("answer-with")
    boolean answerWith(SocketIoSocket socket, JsonNode answer) {
        ServerSideEmits.ANSWERS.put(socket.namespace(), answer);
        return true;
    }

    /** The server-side emits of {@code "hello"} this server received for this case. */
    @OnEvent("heard")
    List<JsonNode> heard(SocketIoSocket socket) {
        return ServerSideEmits.HEARD.getOrDefault(socket.namespace(), List.of());
    }

    /** Runs one of the operations of Node's {@code worker.js} on the socket's namespace, from this server. */
    @OnEvent("do")
    Uni<Object> act(SocketIoSocket socket, String operation) {
        String name = socket.namespace();
        SocketIoNamespace nsp = io.of(name);
        switch (operation) {
            case "broadcast" -> nsp.emit("test", 1, "2", new byte[] { 3, 4 });
            case "broadcast-custom" -> io.of(name + "-custom").emit("test");
            case "broadcast-room" -> nsp.to("room1").emit("test");
            case "broadcast-except" -> nsp.except("room1").emit("test");
            case "broadcast-local" -> nsp.local().emit("test");
            case "acks" -> {
                return answers(nsp.timeout(ACK_TIMEOUT).emitWithAck("test"));
            }
            case "acks-no-client" -> {
                return answers(nsp.to("abc").timeout(ACK_TIMEOUT).emitWithAck("test"));
            }
            case "sockets-join" -> nsp.socketsJoin("room1");
            case "sockets-join-matching" -> nsp.in("room1").socketsJoin("room2");
            case "sockets-leave" -> nsp.socketsLeave("room1");
            case "sockets-leave-matching" -> nsp.in("room1").socketsLeave("room2");
            case "disconnect-sockets" -> nsp.disconnectSockets(false);
            case "fetch-sockets" -> {
                return nsp.fetchSockets().map(sockets -> (Object) sockets.stream().map(s -> s.id()).sorted().toList());
            }
            case "server-side-emit" -> io.of(ServerSideEmits.NAMESPACE).serverSideEmit("hello", "world", 1, "2", name);
            case "server-side-emit-with-ack" -> {
                return answers(io.of(ServerSideEmits.NAMESPACE).serverSideEmitWithAck("hello with ack", name));
            }
            default -> throw new IllegalArgumentException("no such operation: " + operation);
        }
        return Uni.createFrom().item("done");
    }

    /**
     * The answers of an emit with acknowledgements, as {@code {"answers": [...]}} (a binary answer as
     * {@code {"binary": [bytes]}}), or its failure as {@code {"error", "received", "expected", "answers"}}.
     */
    static Uni<Object> answers(Uni<List<JsonNode>> asked) {
        return asked.map(answers -> (Object) Map.of("answers", shown(answers))).onFailure().recoverWithItem(e -> {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("error", String.valueOf(e.getMessage()));
            failure.put("type", e.getClass().getSimpleName());
            if (e instanceof AckTimeoutException timeout) {
                failure.put("received", timeout.received());
                failure.put("expected", timeout.expected());
                failure.put("answers", shown(timeout.responses()));
            }
            return failure;
        });
    }

    static List<Object> shown(List<JsonNode> answers) {
        List<Object> shown = new ArrayList<>();
        for (JsonNode a : answers) {
            if (a != null && a.isBinary()) {
                try {
                    byte[] bytes = a.binaryValue();
                    List<Integer> values = new ArrayList<>();
                    for (byte b : bytes) {
                        values.add((int) b);
                    }
                    shown.add(Map.of("binary", values));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                shown.add(a);
            }
        }
        return shown;
    }
}
