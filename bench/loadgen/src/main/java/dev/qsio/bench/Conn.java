package dev.qsio.bench;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * One client connection speaking Engine.IO v4 / Socket.IO v5 text frames directly: the open packet is answered by
 * a CONNECT to the main namespace, pings by pongs; {@code msg} events are timed from the send time the publisher
 * wrote into their payload; acknowledgements complete requests.
 * <p>
 * Everything but the volatile fields runs on the event loop that owns the WebSocket.
 */
final class Conn {

    /** The start of a {@code msg} event: {@code 42["msg","} followed by the publisher's nanoTime. */
    private static final byte[] MSG = "42[\"msg\",\"".getBytes(StandardCharsets.US_ASCII);
    /** The servers' pings received by every connection (a window can tell that a heartbeat round fell in it). */
    static final LongAdder PINGS = new LongAdder();

    private final Generator gen;
    private final ClientWebSocket ws;
    final Promise<Conn> connected = Promise.promise();
    private final Promise<Void> closed = Promise.promise();
    private volatile Context context;
    /** Whether the WebSocket handshake completed (for the message of a connection that fails later). */
    volatile boolean upgraded;
    private volatile boolean closing;

    private int nextAckId;
    private final Map<Integer, Promise<String>> acks = new HashMap<>();

    /** Where this connection's {@code msg} deliveries are counted and timed. */
    volatile Sink sink;
    /** The number of the last {@code msg} event received: each must be above it (once, in order). */
    private long lastSeq = -1;
    /** The pid of the server process holding this connection, once asked with {@code whoami}. */
    volatile long pid = -1;

    private volatile boolean echoing;
    private int echoId;
    private long echoSentAt;
    private String echoFrame;

    Conn(Generator gen, ClientWebSocket ws) {
        this.gen = gen;
        this.ws = ws;
        this.sink = gen.fanout;
        ws.frameHandler(this::onFrame);
        ws.closeHandler(v -> onClose());
        ws.exceptionHandler(e -> connected.tryFail(e));
    }

    private void onFrame(WebSocketFrame frame) {
        if (!frame.isText()) {
            return;
        }
        Buffer b = frame.binaryData();
        int len = b.length();
        if (len == 0) {
            return;
        }
        switch (b.getByte(0)) {
            case '4' -> {
                if (len > 1) {
                    onSocketIo(b, len);
                }
            }
            case '2' -> {
                PINGS.increment();
                ws.writeTextMessage("3");
            }
            case '0' -> {
                context = Vertx.currentContext();
                ws.writeTextMessage("40");
            }
            default -> {
            }
        }
    }

    private void onSocketIo(Buffer b, int len) {
        switch (b.getByte(1)) {
            case '2' -> onEvent(b, len);
            case '3' -> onAck(b, len);
            case '0' -> connected.tryComplete(this);
            case '4' -> connected.tryFail("CONNECT_ERROR " + b.toString(StandardCharsets.UTF_8));
            default -> {
            }
        }
    }

    private void onEvent(Buffer b, int len) {
        long now = System.nanoTime();
        if (len <= MSG.length) {
            return;
        }
        for (int i = 2; i < MSG.length; i++) {
            if (b.getByte(i) != MSG[i]) {
                return;
            }
        }
        long sent = 0;
        int i = MSG.length;
        for (; i < len; i++) {
            byte c = b.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            sent = sent * 10 + (c - '0');
        }
        Sink s = sink;
        s.record(sent, now);
        // the event's number follows the time: "<time>|<number>|"
        if (i < len && b.getByte(i) == '|') {
            long seq = 0;
            for (i++; i < len; i++) {
                byte c = b.getByte(i);
                if (c < '0' || c > '9') {
                    break;
                }
                seq = seq * 10 + (c - '0');
            }
            if (seq <= lastSeq) {
                s.misordered(seq == lastSeq);
            } else {
                lastSeq = seq;
            }
        }
    }

    private void onAck(Buffer b, int len) {
        int id = 0;
        int i = 2;
        for (; i < len; i++) {
            byte c = b.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            id = id * 10 + (c - '0');
        }
        if (id == echoId && echoFrame != null) {
            gen.acks.record(echoSentAt, System.nanoTime());
            if (echoing) {
                sendEcho();
            } else {
                echoFrame = null;
            }
            return;
        }
        Promise<String> waiter = acks.remove(id);
        if (waiter != null) {
            waiter.tryComplete(b.getString(i, len, "UTF-8"));
        }
    }

    private void onClose() {
        if (!closing) {
            gen.unexpectedCloses.increment();
        }
        connected.tryFail("closed before the namespace CONNECT");
        acks.values().forEach(p -> p.tryFail("closed"));
        closed.tryComplete();
    }

    private void run(Runnable action) {
        Context c = context;
        if (c == null) {
            throw new IllegalStateException("not connected");
        }
        c.runOnContext(v -> action.run());
    }

    /** Emits an event without arguments that asks for an acknowledgement; completes with the ack's JSON array. */
    Future<String> request(String event) {
        Promise<String> p = Promise.promise();
        run(() -> {
            int id = ++nextAckId;
            acks.put(id, p);
            ws.writeTextMessage("42" + id + "[\"" + event + "\"]");
        });
        return p.future();
    }

    /** Sends a text frame as is (the publisher's events). Call on this connection's event loop. */
    void sendNow(String text) {
        ws.writeTextMessage(text);
    }

    void runOnLoop(Runnable action) {
        run(action);
    }

    String state() {
        return "WebSocket " + (upgraded ? "open" : "not open") + ", Engine.IO open packet "
                + (context != null ? "received" : "not received");
    }

    Context context() {
        return context;
    }

    /** Starts emitting {@code echo} with an acknowledgement, one at a time, each sent when the previous is acked. */
    void startEcho(String payload) {
        run(() -> {
            echoing = true;
            echoFrame = "[\"echo\",\"" + payload + "\"]";
            sendEcho();
        });
    }

    void stopEcho() {
        echoing = false;
    }

    private void sendEcho() {
        echoId = ++nextAckId;
        echoSentAt = System.nanoTime();
        ws.writeTextMessage("42" + echoId + echoFrame);
    }

    Future<Void> close() {
        closing = true;
        try {
            ws.close();
        } catch (IllegalStateException notConnected) {
            closed.tryComplete();
        }
        return closed.future();
    }

    Future<Void> whenClosed() {
        return closed.future();
    }
}
