package dev.qsio.bench.ceiling;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

/**
 * The ceiling: the bench application's fan-out on bare Vert.x WebSockets, with no Engine.IO or Socket.IO layer.
 * It speaks only as much of the frames as the load generator needs (the open packet, the namespace CONNECT, the
 * five events and their acks) and never parses JSON: it matches the event name and relays the rest of the text.
 * <p>
 * Each event loop keeps its own members of the room; a broadcast is encoded once and handed to every loop, which
 * writes it to its members, so no socket is written from a foreign thread. Usage: {@code VertxCeiling <port>}.
 */
public final class VertxCeiling extends AbstractVerticle {

    private static final AtomicLong IDS = new AtomicLong();
    private static final List<Loop> LOOPS = new CopyOnWriteArrayList<>();

    /** The members of room "r" that live on one event loop; touched only on that loop. */
    private static final class Loop {
        final Context context;
        final List<ServerWebSocket> members = new ArrayList<>();
        final List<ServerWebSocket> everyone = new ArrayList<>();

        Loop(Context context) {
            this.context = context;
        }

        void deliver(Buffer frame, List<ServerWebSocket> to) {
            for (int i = 0; i < to.size(); i++) {
                // a view of the shared bytes per socket, as a broadcast's one encoding should be reused
                to.get(i).writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.getByteBuf(), true));
            }
        }
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int loops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        vertx.deployVerticle(() -> new VertxCeiling(port), new DeploymentOptions().setInstances(loops))
                .onSuccess(id -> System.out.println("vertx ceiling listening on " + port))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    private final int port;
    private Loop loop;

    private VertxCeiling(int port) {
        this.port = port;
    }

    @Override
    public void start(io.vertx.core.Promise<Void> started) {
        loop = new Loop(context);
        LOOPS.add(loop);
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
                .setAcceptBacklog(4096))
                .webSocketHandler(this::accept)
                .listen()
                .<Void> mapEmpty()
                .onComplete(started);
    }

    private void accept(ServerWebSocket ws) {
        if (!ws.path().startsWith("/socket.io/")) {
            ws.reject(404);
            return;
        }
        String sid = Long.toString(IDS.incrementAndGet());
        ws.writeTextMessage(CeilingProtocol.open(sid));
        ws.textMessageHandler(text -> onText(ws, sid, text));
        loop.everyone.add(ws);
        ws.closeHandler(v -> {
            loop.members.remove(ws);
            loop.everyone.remove(ws);
        });
    }

    private void onText(ServerWebSocket ws, String sid, String text) {
        if (text.startsWith("40")) {
            ws.writeTextMessage(CeilingProtocol.connected(sid));
            return;
        }
        CeilingProtocol.Event e = CeilingProtocol.event(text);
        if (e == null) {
            return;
        }
        switch (e.name()) {
            case "pub", "all" -> {
                Buffer frame = Buffer.buffer(e.broadcast().getBytes(StandardCharsets.UTF_8));
                boolean room = e.name().equals("pub");
                for (Loop l : LOOPS) {
                    l.context.runOnContext(v -> l.deliver(frame, room ? l.members : l.everyone));
                }
            }
            case "echo" -> ws.writeTextMessage(e.echo());
            case "join" -> {
                loop.members.add(ws);
                if (!e.ackId().isEmpty()) {
                    ws.writeTextMessage(e.ack(""));
                }
            }
            default -> {
                if (!e.ackId().isEmpty()) {
                    ws.writeTextMessage(e.ack(CeilingProtocol.PID));
                }
            }
        }
    }
}
