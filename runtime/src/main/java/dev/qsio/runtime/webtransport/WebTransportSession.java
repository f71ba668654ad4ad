package dev.qsio.runtime.webtransport;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.vertx.core.MultiMap;

/**
 * A WebTransport session (draft-ietf-webtrans-http3): the CONNECT stream a client opened with
 * {@code :protocol=webtransport}, and the bidirectional streams it then opens for it. It lives as long as its CONNECT
 * stream; closing it closes its QUIC connection (a connection carries one session for this server: it announces no
 * more).
 */
public final class WebTransportSession {

    private final QuicChannel connection;
    private final QuicStreamChannel connect;
    private final String path;
    private final String authority;
    private final MultiMap headers;
    private Consumer<QuicStreamChannel> streams;
    private Runnable closed;
    private boolean over;

    WebTransportSession(QuicChannel connection, QuicStreamChannel connect, String path, String authority,
            MultiMap headers) {
        this.connection = connection;
        this.connect = connect;
        this.path = path;
        this.authority = authority;
        this.headers = headers;
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

    /** Ends the session and its connection, with QUIC's application error {@code code} (0: none). */
    public void close(int code) {
        if (connection.eventLoop().inEventLoop()) {
            closeNow(code);
        } else {
            connection.eventLoop().execute(() -> closeNow(code));
        }
    }

    private void closeNow(int code) {
        ended();
        // H3_NO_ERROR is 0x100: a session closed with no error ends its connection cleanly
        connection.close(true, code == 0 ? 0x100 : code, Unpooled.EMPTY_BUFFER);
    }

    void stream(QuicStreamChannel stream) {
        Consumer<QuicStreamChannel> to = streams;
        if (to == null || over) {
            stream.close();
            return;
        }
        to.accept(stream);
    }

    void ended() {
        if (over) {
            return;
        }
        over = true;
        Runnable r = closed;
        if (r != null) {
            r.run();
        }
        if (connect.isActive()) {
            connect.shutdownOutput();
        }
    }
}
