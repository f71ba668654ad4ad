package dev.qsio.it.nodesuites.cluster;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.ClusterInfo;
import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import dev.qsio.EngineListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * The server side of {@code socket.io-cluster-engine/test/}: Node's {@code engine.on("connection", ...)} of each case
 * is this raw Engine.IO endpoint, whose behaviour a handshake chooses with its {@code case} parameter:
 * <ul>
 * <li>{@code hello}: sends "hello" as the session opens; {@code deferred}: 200 ms later;</li>
 * <li>{@code close}: closes the session 100 ms after it opened;</li>
 * <li>{@code echo}: sends back each message (the cluster cases' {@code worker.js});</li>
 * <li>{@code upgrade}: sends "hello" once the session has upgraded, and closes it on the message "hi" received over
 * the WebSocket.</li>
 * </ul>
 * What each session received, whether it upgraded and why it closed is kept by the server the session lives on, and
 * {@code GET /cluster-engine-state?sid=...} tells it, with the server ({@code "node/worker"}). That request, on a
 * kept-alive connection, also tells a test which server holds the connection.
 */
@EngineIoEndpoint(EngineSessions.PATH)
public class EngineSessions implements EngineIoHandler {

    public static final String PATH = "/cluster-engine/";

    static final Map<String, List<String>> RECEIVED = new ConcurrentHashMap<>();
    static final Map<String, String> UPGRADED = new ConcurrentHashMap<>();
    static final Map<String, String> CLOSED = new ConcurrentHashMap<>();

    @Inject
    ClusterInfo cluster;

    static String behaviour(EngineIoSocket socket) {
        String c = socket.request().queryParam("case");
        return c == null ? "" : c;
    }

    @Override
    public void onOpen(EngineIoSocket socket) {
        RECEIVED.put(socket.id(), new CopyOnWriteArrayList<>());
        switch (behaviour(socket)) {
            case "hello" -> socket.send("hello");
            case "deferred" -> later(200, () -> socket.send("hello"));
            case "close" -> later(100, socket::close);
            case "upgrade" -> socket.on(new EngineListener() {
                @Override
                public void upgrade(String transport) {
                    UPGRADED.put(socket.id(), transport);
                    socket.send("hello");
                }
            });
            default -> {
            }
        }
    }

    static void later(long ms, Runnable action) {
        CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS).execute(action);
    }

    @Override
    public void onMessage(EngineIoSocket socket, String text) {
        RECEIVED.computeIfAbsent(socket.id(), id -> new CopyOnWriteArrayList<>()).add(text);
        String behaviour = behaviour(socket);
        if (behaviour.equals("echo")) {
            socket.send(text);
        } else if (behaviour.equals("upgrade") && text.equals("hi") && "websocket".equals(socket.transport())) {
            socket.close();
        }
    }

    @Override
    public void onBinary(EngineIoSocket socket, Buffer data) {
        RECEIVED.computeIfAbsent(socket.id(), id -> new CopyOnWriteArrayList<>())
                .add("binary " + Base64.getEncoder().encodeToString(data.getBytes()));
        if (behaviour(socket).equals("echo")) {
            socket.send(data);
        }
    }

    @Override
    public void onClose(EngineIoSocket socket, String reason) {
        CLOSED.put(socket.id(), reason);
    }

    static final ObjectMapper JSON = new ObjectMapper();

    void routes(@Observes Router router) {
        router.get("/cluster-engine-state").handler(rc -> {
            String sid = rc.request().getParam("sid");
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("server", cluster.nodeId() + "/" + cluster.workerId());
            if (sid != null) {
                state.put("known", RECEIVED.containsKey(sid));
                state.put("received", RECEIVED.getOrDefault(sid, List.of()));
                state.put("upgraded", UPGRADED.get(sid));
                state.put("closed", CLOSED.get(sid));
            }
            try {
                rc.response().putHeader("content-type", "application/json").end(JSON.writeValueAsString(state));
            } catch (Exception e) {
                rc.fail(e);
            }
        });
    }
}
