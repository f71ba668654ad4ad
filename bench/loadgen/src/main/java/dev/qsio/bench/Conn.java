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

/**
 * One client connection speaking Engine.IO v4 / Socket.IO v5 text packets directly: the open packet is answered by
 * a CONNECT to the main namespace, pings by pongs; {@code msg} events are timed from the send time the publisher
 * wrote into their payload; acknowledgements complete requests. The packets travel on a {@link Wire}: a WebSocket's
 * text frames, or a WebTransport session's stream ({@link WebTransportClient}).
 * <p>
 * Everything but the volatile fields runs on the event loop that owns the wire.
 */
final class Conn {

    /** What carries the packets: each call on the connection's loop. */
    interface Wire {
        /** Sends one text packet. */
        void send(String text);

        /** Ends the connection; {@link Conn#closed} follows once it is gone. */
        void close();
    }

    /** A WebSocket's text frames, one packet each. */
    private record WebSocketWire(ClientWebSocket ws) implements Wire {
        @Override
        public void send(String text) {
            ws.writeTextMessage(text);
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    /** The start of a {@code msg} event: {@code 42["msg","} followed by the publisher's nanoTime. */
    private static final byte[] MSG = "42[\"msg\",\"".getBytes(StandardCharsets.US_ASCII);
    /** The servers' pings received by every connection (a window can tell that a heartbeat round fell in it). */
    static final LongAdder PINGS = new LongAdder();

    private final Generator gen;
    private Wire wire;
    final Promise<Conn> connected = Promise.promise();
    private final Promise<Void> closed = Promise.promise();
    private volatile Context context;
    /** Whether the WebSocket handshake completed, or the WebTransport session opened (for a failure's message). */
    volatile boolean upgraded;
    /** Whether the server's Engine.IO OPEN came. */
    private volatile boolean opened;
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

    /** A connection on a WebSocket. */
    Conn(Generator gen, ClientWebSocket ws) {
        this(gen);
        this.wire = new WebSocketWire(ws);
        ws.frameHandler(frame -> {
            if (frame.isText()) {
                onText(frame.binaryData());
            }
        });
        ws.closeHandler(v -> closed());
        ws.exceptionHandler(this::failed);
    }

    /** A connection whose wire is given by {@link #wire(Wire, Context)} before it carries anything. */
    Conn(Generator gen) {
        this.gen = gen;
        this.sink = gen.fanout;
    }

    /** The wire, and the context of the loop it runs on (a WebTransport session's: its QUIC connection's loop). */
    void wire(Wire wire, Context context) {
        this.wire = wire;
        this.context = context;
    }

    /** The connection could not be opened. */
    void failed(Throwable cause) {
        connected.tryFail(cause);
    }

    /** One text packet received. */
    void onText(Buffer b) {
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
                wire.send("3");
            }
            case '0' -> {
                if (context == null) {
                    context = Vertx.currentContext();
                }
                opened = true;
                wire.send("40");
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

    /** The wire is gone (closed by either end, or never opened). */
    void closed() {
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
            wire.send("42" + id + "[\"" + event + "\"]");
        });
        return p.future();
    }

    /** Sends a text frame as is (the publisher's events). Call on this connection's event loop. */
    void sendNow(String text) {
        wire.send(text);
    }

    void runOnLoop(Runnable action) {
        run(action);
    }

    String state() {
        return (wire instanceof WebSocketWire ? "WebSocket " : "WebTransport session ") + (upgraded ? "open" : "not open")
                + ", Engine.IO open packet " + (opened ? "received" : "not received");
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
        wire.send("42" + echoId + echoFrame);
    }

    Future<Void> close() {
        closing = true;
        try {
            wire.close();
        } catch (IllegalStateException notConnected) {
            closed.tryComplete();
        }
        return closed.future();
    }

    Future<Void> whenClosed() {
        return closed.future();
    }
}
