package dev.qsio.runtime.webtransport;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import io.vertx.core.MultiMap;

/**
 * A WebTransport session (draft-ietf-webtrans-http3): the CONNECT stream a client opened with
 * {@code :protocol=webtransport}, and the bidirectional streams it then opens for it. It lives as long as its CONNECT
 * stream; its end ends its QUIC connection (a connection carries one session for this server: it announces no more).
 * The server ends a session as the draft says: a CLOSE_WEBTRANSPORT_SESSION capsule with a code and a message, then
 * the FIN of the CONNECT stream; the connection closes once the client has ended its side too, or after
 * {@link #CLOSE_GRACE_MS}. A browser's {@code WebTransport.closed} then resolves with that code and message, where a
 * connection closed at once made it reject ("Connection lost"). {@link #drain} asks the client to end it soon.
 */
public final class WebTransportSession {

    private static final Logger LOG = Logger.getLogger(WebTransportSession.class);

    /** CLOSE_WEBTRANSPORT_SESSION: a 32-bit code, then a message. */
    static final long CLOSE_CAPSULE = 0x2843;
    /** DRAIN_WEBTRANSPORT_SESSION, empty: its sender asks that the session end soon. */
    static final long DRAIN_CAPSULE = 0x78ae;
    /** HTTP/3's NO_ERROR, with which a connection whose session is over closes. */
    static final int H3_NO_ERROR = 0x100;
    /** The longest message of a CLOSE capsule, in bytes of UTF-8. */
    static final int MAX_CLOSE_MESSAGE = 1024;
    /** How long, after the server's CLOSE capsule, the connection waits for the client to end its side. */
    static final long CLOSE_GRACE_MS = 1000;

    /** Set on a connection that carries a session ({@link #carriesSession}). */
    private static final AttributeKey<Boolean> SESSION = AttributeKey.valueOf(WebTransportSession.class, "session");

    private final QuicChannel connection;
    private final QuicStreamChannel connect;
    private final String path;
    private final String authority;
    private final MultiMap headers;
    private Consumer<QuicStreamChannel> streams;
    private Runnable closed;
    private boolean over;
    /** The session is ending: the server's CLOSE is sent, or the client's came. */
    private boolean closing;
    /** The client's CLOSE capsule: its code, or -1. */
    private long peerCode = -1;
    private String peerMessage;
    /** The client sent a DRAIN capsule. */
    private boolean drainedByPeer;

    WebTransportSession(QuicChannel connection, QuicStreamChannel connect, String path, String authority,
            MultiMap headers) {
        this.connection = connection;
        this.connect = connect;
        this.path = path;
        this.authority = authority;
        this.headers = headers;
        connection.attr(SESSION).set(Boolean.TRUE);
    }

    /** The request's {@code :path}, with its query. */
    public String path() {
        return path;
    }

    /** The request's {@code :authority}. */
    public String authority() {
        return authority;
    }

    /** The request's headers (its regular fields, without the pseudo-headers). */
    public MultiMap headers() {
        return headers;
    }

    /** The client's address, or null when QUIC does not tell it. */
    public InetSocketAddress remoteAddress() {
        return connection.remoteSocketAddress() instanceof InetSocketAddress a ? a : null;
    }

    /** The loop the session's connection and streams run on. */
    public EventLoop eventLoop() {
        return connection.eventLoop();
    }

    /**
     * Where the session's bidirectional streams go, as the client opens them; each arrives with nothing in its
     * pipeline, before its first bytes. Set once, on the loop, when the session is accepted.
     */
    public void onStream(Consumer<QuicStreamChannel> streams) {
        this.streams = streams;
    }

    /** What runs once the session ends, whichever side ends it. */
    public void onClose(Runnable closed) {
        this.closed = closed;
    }

    /** Ends the session with no error and no message. */
    public void close() {
        close(0, "");
    }

    /**
     * Ends the session with the application's {@code code} (32 bits) and {@code message} (cut to 1,024 bytes of
     * UTF-8), which the client sees ({@code WebTransport.closed}'s {@code closeCode} and {@code reason}).
     */
    public void close(long code, String message) {
        onLoop(() -> closeNow(code, message));
    }

    /** Asks the client to end the session soon (a DRAIN_WEBTRANSPORT_SESSION capsule; a browser's {@code draining}). */
    public void drain() {
        onLoop(() -> {
            if (!closing && connect.isActive()) {
                connect.writeAndFlush(capsule(DRAIN_CAPSULE, 0, null));
            }
        });
    }

    /** The client's CLOSE capsule's code, or -1 when it sent none. */
    public long peerCloseCode() {
        return peerCode;
    }

    /** The client's CLOSE capsule's message, or null. */
    public String peerCloseMessage() {
        return peerMessage;
    }

    /** Whether the client sent a DRAIN capsule. */
    public boolean drainedByPeer() {
        return drainedByPeer;
    }

    private void onLoop(Runnable task) {
        if (connection.eventLoop().inEventLoop()) {
            task.run();
        } else {
            connection.eventLoop().execute(task);
        }
    }

    /**
     * The CONNECT stream closed: the client ended its side (after the server's CLOSE, as the draft asks of it, or of
     * itself), or reset it. The session is over, and so is its connection.
     */
    void connectClosed() {
        if (!closing) {
            closeNow(0, "");
        }
        // else the client has both capsule and FIN: it closes the connection (a browser does once the session's end
        // reached the page), else the grace does; closed now, the page could see the connection lost instead
    }

    private void closeNow(long code, String message) {
        if (closing) {
            // ending already: the connection closes once the client has ended its side, or after the grace
            return;
        }
        closing = true;
        ended();
        if (peerCode < 0 && connect.isActive() && connection.isActive()) {
            connect.writeAndFlush(capsule(CLOSE_CAPSULE, code, message));
            connect.shutdownOutput();
            connection.eventLoop().schedule(() -> closeConnection(connection), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        } else {
            if (connect.isActive()) {
                connect.shutdownOutput();
            }
            closeConnection(connection);
        }
    }

    /**
     * A capsule as the request's data: in a DATA frame. A CLOSE carries {@code code} and {@code message} (cut to
     * {@link #MAX_CLOSE_MESSAGE} bytes); a DRAIN nothing.
     */
    private ByteBuf capsule(long type, long code, String message) {
        byte[] text = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        int textLength = Math.min(text.length, MAX_CLOSE_MESSAGE);
        int payload = type == CLOSE_CAPSULE ? 4 + textLength : 0;
        ByteBuf capsule = connect.alloc().buffer(24 + payload);
        Varint.write(capsule, CapsuleReader.DATA_FRAME);
        Varint.write(capsule, Varint.length(type) + Varint.length(payload) + payload);
        Varint.write(capsule, type);
        Varint.write(capsule, payload);
        if (type == CLOSE_CAPSULE) {
            capsule.writeInt((int) code);
            capsule.writeBytes(text, 0, textLength);
        }
        return capsule;
    }

    /** Closes {@code connection} with HTTP/3's NO_ERROR: its session is over, and it carried nothing else. */
    static void closeConnection(QuicChannel connection) {
        if (!connection.eventLoop().inEventLoop()) {
            connection.eventLoop().execute(() -> closeConnection(connection));
        } else if (connection.isActive()) {
            connection.close(true, H3_NO_ERROR, Unpooled.EMPTY_BUFFER);
        }
    }

    /**
     * Whether {@code connection} carries a session (its CONNECT came): once the session ends, the connection closes as
     * its client ends it, or after {@link #CLOSE_GRACE_MS}.
     */
    static boolean carriesSession(Channel connection) {
        return Boolean.TRUE.equals(connection.attr(SESSION).get());
    }

    /** The client's CLOSE capsule came: the session ends with its FIN, which must follow. */
    void closedByPeer(long code, String message) {
        LOG.debugf("a WebTransport session at %s closed by its client: code %d, %s", path, code, message);
        peerCode = code;
        peerMessage = message;
    }

    /** The client's DRAIN capsule came. Nothing is to be finished here: Engine.IO's session ends as the client ends. */
    void peerDrained() {
        LOG.debugf("a WebTransport session at %s drained by its client", path);
        drainedByPeer = true;
    }

    void stream(QuicStreamChannel stream) {
        Consumer<QuicStreamChannel> to = streams;
        if (to == null || over) {
            stream.close();
            return;
        }
        to.accept(stream);
    }

    /** The session is over (whichever side ended it, or its connection is gone): what waits on its end runs. */
    void ended() {
        if (over) {
            return;
        }
        over = true;
        Runnable r = closed;
        if (r != null) {
            r.run();
        }
    }
}
