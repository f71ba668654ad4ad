package dev.qsio.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain WebSocket peer (the JDK's client) for tests that speak the protocol frame by frame. Received text
 * frames are strings; binary frames are {@code byte[]}.
 */
public final class RawWebSocket implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket ws;

    private RawWebSocket(URI uri) {
        this.ws = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    messages.add(text.toString());
                    text.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                binary.writeBytes(bytes);
                if (last) {
                    messages.add(binary.toByteArray());
                    binary.reset();
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(-1);
            }
        }).join();
    }

    /** Opens a WebSocket; throws if the server refuses the upgrade. */
    public static RawWebSocket open(String uri) {
        return new RawWebSocket(URI.create(uri));
    }

    public void send(String text) {
        ws.sendText(text, true).join();
    }

    public void send(byte[] data) {
        ws.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /**
     * Sends a message the server may refuse by closing the connection while it is still being written (an oversized
     * one): returns whether it was written completely.
     */
    public boolean sendUnlessClosed(String text) {
        try {
            ws.sendText(text, true).join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException) {
                return false;
            }
            throw e;
        }
    }

    /** The next message, waiting up to 10 seconds; fails if none arrives. */
    public Object next() {
        try {
            Object m = messages.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no WebSocket message within 10 s");
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next message that is not an Engine.IO ping, answering each ping with a pong: the server pings when its
     * interval is up, before or after whatever else it sends.
     */
    public Object nextAnsweringPings() {
        Object m = next();
        while ("2".equals(m)) {
            send("3");
            m = next();
        }
        return m;
    }

    public String nextText() {
        Object m = next();
        if (!(m instanceof String s)) {
            throw new AssertionError("expected a text frame, got binary");
        }
        return s;
    }

    /** Whether the server closed the connection within the timeout; the close code is then available. */
    public boolean awaitClosed(Duration timeout) {
        try {
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public int closeCode() {
        return closed.getNow(0);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
            ws.abort();
        }
    }
}
