package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

import org.jboss.logging.Logger;

import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.internals.FrameworkInternals;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * HTTP long-polling: the client holds one GET open to receive and sends with POST. Packets queue in the session
 * until a GET is there to carry them.
 * <p>
 * A GET is known by its tag, the {@code t} parameter clients add to make each request unique. What the last GET
 * received is kept until the next one: a proxy that retries a GET whose server died before answering (HAProxy's
 * {@code retries} with {@code option redispatch}) sends the same tag again, and gets the same packets, instead of
 * the packets being lost with the dead server. A client sends its next GET only once the previous one answered, so a
 * GET of an older tag is stale (a copy a slow or dying server still forwards): it gets nothing.
 */
public final class PollingTransport extends Transport {

    private static final Logger LOG = Logger.getLogger(PollingTransport.class);

    /** HTTP long-polling: a request for each poll and each send; nothing upgrades to it. */
    static final TransportKind KIND = new TransportKind("polling", true, 0) {
        @Override
        <C> void open(EngineServer<C> server, HttpServerRequest request, HandshakeRequest handshake, boolean eio3,
                AddressLimits.Entry address) {
            EngineSession<C> session = server.newSession(handshake, eio3, address);
            PollingTransport polling = new PollingTransport(session);
            polling.park(request, Query.param(request, "t"));
            server.stats().increment(EngineFigure.HANDSHAKES_ACCEPTED);
            session.start(polling, server.delayedConnectionMs());
        }
    };

    private static final String TEXT = "text/plain; charset=UTF-8";
    private static final int ANSWERED_TAGS_KEPT = 16;

    private HttpServerRequest pendingGet;
    /** Where a GET of this session waits on another server: the next flush goes there (once). */
    private Relay elsewhere;
    /** The tag of the GET that receives next (parked here or elsewhere), or null. */
    private String readerTag;
    /** The tag of the last GET answered, and what it carried. */
    private String lastTag;
    private List<EnginePacket> lastPackets = List.of();
    /** The tags of the GETs answered lately, newest last. */
    private final ArrayDeque<String> answeredTags = new ArrayDeque<>();
    private boolean dataPending;
    /** The POST whose body is being read, or null: aborted if the session closes meanwhile. */
    private HttpServerRequest dataRequest;

    PollingTransport(EngineSession<?> session) {
        super(session);
    }

    @Override
    TransportKind kind() {
        return KIND;
    }

    @Override
    boolean writable() {
        return pendingGet != null || elsewhere != null;
    }

    /** Whether a GET is parked on this server. */
    private boolean parkedHere() {
        return pendingGet != null;
    }

    /** The server that holds this session's GET, or null. */
    private String readerHolder() {
        return elsewhere == null ? null : elsewhere.holder();
    }

    /** Whether a GET of this tag was answered last: it is a retry of that GET. */
    private boolean answered(String tag) {
        return tag != null && tag.equals(lastTag);
    }

    /** Whether a GET of this tag was answered before the last one: the client is past it. */
    private boolean stale(String tag) {
        return tag != null && !tag.equals(lastTag) && answeredTags.contains(tag);
    }

    /**
     * Whether a GET of this tag is a retry of the GET that waits now (parked here or elsewhere), whose connection
     * its server or a proxy gave up: that one is abandoned for it.
     */
    private boolean retryOfWaiting(String tag) {
        return writable() && tag != null && tag.equals(readerTag);
    }

    /** Abandons the GET that waits now, for a retry of it: the one here gets an empty answer, nobody reads it. */
    private void abandonWaiting() {
        if (pendingGet != null) {
            HttpServerRequest old = pendingGet;
            pendingGet = null;
            respond(session.server, old, List.of(EnginePacket.NOOP));
        }
        elsewhere = null;
        readerTag = null;
    }

    /** Answers a retried GET with what the GET it repeats carried. */
    private void replay(HttpServerRequest request) {
        respond(session.server, request, lastPackets.isEmpty() ? List.of(EnginePacket.NOOP) : lastPackets);
    }

    /** Parks a GET; returns false if one is already parked (the caller refuses the request and ends the session). */
    boolean park(HttpServerRequest request, String tag) {
        if (pendingGet != null) {
            return false;
        }
        pendingGet = request;
        readerTag = tag;
        elsewhere = null;
        request.response().closeHandler(v -> pollClosed(request));
        return true;
    }

    @Override
    void onRequest(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET) {
            onPoll(request);
        } else if (request.method() == HttpMethod.POST) {
            onData(request);
        } else {
            session.server.refuse(request, EngineError.BAD_REQUEST);
        }
    }

    /** A GET arrived for this session. */
    private void onPoll(HttpServerRequest request) {
        boolean overlap = false;
        boolean closeAfter = false;
        String tag = Query.param(request, "t");
        synchronized (session) {
            if (!session.isCurrent(this)) {
                session.server.refuse(request, EngineError.BAD_REQUEST);
                return;
            }
            if (answered(tag)) {
                // a proxy retried the last GET (its server died before the answer reached the client): same answer
                LOG.debugf("session %s: GET %s again, answered as before", session.id(), tag);
                replay(request);
                return;
            }
            if (stale(tag)) {
                LOG.debugf("session %s: GET %s is stale (the client is past it)", session.id(), tag);
                session.server.refuse(request, EngineError.BAD_REQUEST);
                return;
            }
            if (retryOfWaiting(tag)) {
                LOG.debugf("session %s: GET %s retried here; the copy %s is abandoned", session.id(), tag,
                        parkedHere() ? "parked here" : "at " + readerHolder());
                abandonWaiting();
            }
            if (!park(request, tag)) {
                overlap = true;
            } else if (session.closeDue()) {
                session.flushClose();
                closeAfter = true;
            } else {
                session.out.flush();
            }
        }
        if (overlap) {
            // a second concurrent GET: the session ends (the parked GET receives the close packet), then the GET is
            // refused (the session is over before its client can learn it: see onData)
            session.onClose("transport error");
            session.server.refuse(request, EngineError.BAD_REQUEST);
        } else if (closeAfter) {
            session.onClose(session.closingReason());
        }
    }

    /**
     * The connection of a parked GET went away before a response: the session ends with {@code "transport error"}, as
     * the reference server's ("poll connection closed prematurely", a browser tab closed while it polled).
     */
    private void pollClosed(HttpServerRequest request) {
        boolean lost;
        synchronized (session) {
            lost = session.isCurrent(this) && pendingGet == request;
        }
        if (lost) {
            session.onClose("transport error");
        }
    }

    /** A POST arrived for this session: its payload's packets are the session's. */
    private void onData(HttpServerRequest request) {
        boolean accepted;
        synchronized (session) {
            accepted = session.isCurrent(this) && !dataPending;
            if (accepted) {
                dataPending = true;
                dataRequest = request;
            }
        }
        EngineServer<?> server = session.server;
        if (!accepted) {
            // a second concurrent POST (or a session that changed transport): the session ends, then the POST is
            // refused. In that order wherever a request ends its session: the answer is written at once, the client's
            // next request comes on a new connection, which may be read on another event loop while this one has not
            // closed the session yet; that request then joined the session, and the close reset its connection
            // (InputSurfacesFuzzIT: "header parser received no bytes" for the POST after a refused one)
            session.onClose("transport error");
            server.refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        EngineOptions options = server.options();
        RequestBody.read(server.vertx(), request, options.maxHttpBufferSize(), options.pollingBodyTimeoutMs(), body -> {
            dataPending = false;
            if (!dataDone(request)) {
                return;
            }
            server.stats().bytesIn(body.length());
            List<EnginePacket> packets;
            try {
                packets = RequestBody.decodePayload(request, body);
            } catch (MalformedPacketException e) {
                session.onError(e.getMessage());
                server.refuse(request, EngineError.BAD_REQUEST);
                return;
            }
            for (EnginePacket packet : packets) {
                session.onPacket(this, packet);
            }
            HttpServerResponse response = request.response();
            server.prepare(request, response);
            headers(request, response);
            response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html").end("ok");
        }, failure -> {
            dataPending = false;
            if (!dataDone(request)) {
                return;
            }
            session.onClose("transport error");
            server.bodyRefused(request, failure);
        });
    }

    /** The body of a POST was read or failed: false when the POST was aborted meanwhile (the session closed). */
    private boolean dataDone(HttpServerRequest request) {
        synchronized (session) {
            if (dataRequest != request) {
                return false;
            }
            dataRequest = null;
            return true;
        }
    }

    /**
     * Aborts a POST whose body is still being read, as the reference server destroys its data request when its
     * transport closes: its connection is not kept until the body timeout for a session that is over. Called with
     * the session's lock held.
     */
    private void abortData() {
        HttpServerRequest data = dataRequest;
        if (data != null) {
            dataRequest = null;
            // the session's lock is held: on the POST's own loop (see respond)
            FrameworkInternals.onLoopOf(data, () -> data.response().reset());
        }
    }

    @Override
    void closing() {
        abortData();
    }

    @Override
    void release() {
        if (writable()) {
            send(EnginePacket.NOOP);
        }
    }

    @Override
    void clientClosed() {
        if (writable()) {
            discard();
        } else {
            session.server.closedByClient(session.id());
        }
    }

    @Override
    void send(List<EnginePacket> packets) {
        answered(packets);
        if (pendingGet == null && elsewhere != null) {
            drainElsewhere(packets);
            return;
        }
        respond(packets);
    }

    @Override
    void send(EnginePacket packet) {
        send(List.of(packet));
    }

    private void answered(List<EnginePacket> packets) {
        lastTag = readerTag;
        lastPackets = lastTag == null ? List.of() : packets;
        readerTag = null;
        if (lastTag != null) {
            answeredTags.addLast(lastTag);
            if (answeredTags.size() > ANSWERED_TAGS_KEPT) {
                answeredTags.removeFirst();
            }
        }
    }

    private void drainElsewhere(List<EnginePacket> packets) {
        Relay reader = elsewhere;
        elsewhere = null;
        reader.drain(packets, false);
    }

    // ---- a GET parked on another server: called through the session's SessionLease only, in a cluster

    @Override
    boolean holderGone(String holder) {
        if (holder.equals(readerHolder())) {
            elsewhere = null;
            readerTag = null;
        }
        return false;
    }

    @Override
    boolean outlived(String holder, String reason) {
        return (EngineSession.POLL_CLOSED.equals(reason) || "transport close".equals(reason))
                && !holder.equals(readerHolder());
    }

    @Override
    boolean lends(boolean read, String tag) {
        // a retry through another server takes over from a copy parked elsewhere, not from one parked here: a GET here
        // is alive, and a lock asked before it (by a server that died since) may arrive after it
        return !read || answered(tag) || (!stale(tag) && (!writable() || (retryOfWaiting(tag) && !parkedHere())));
    }

    @Override
    void readElsewhere(Relay reader, String tag) {
        if (answered(tag)) {
            // a retry of the last GET, through another server: the same answer
            reader.drain(lastPackets.isEmpty() ? List.of(EnginePacket.NOOP) : lastPackets, false);
            return;
        }
        if (retryOfWaiting(tag) && !parkedHere()) {
            abandonWaiting();
        }
        if (!writable()) {
            elsewhere = reader;
            readerTag = tag;
            session.out.flush();
        }
    }

    private void respond(List<EnginePacket> packets) {
        HttpServerRequest request = pendingGet;
        pendingGet = null;
        respond(session.server, request, packets);
    }

    /**
     * Answers a GET with packets (unless its connection has gone), in the framing of the client's protocol revision
     * (its {@code EIO} parameter) and as a script for a JSONP client ({@link Jsonp}), compressed as the request allows when the
     * payload is large enough and any of the packets may be compressed ({@link Compression}).
     */
    public static void respond(EngineServer<?> server, HttpServerRequest request, List<EnginePacket> packets) {
        // on the event loop of the GET's connection: a send holds the session's lock, and an HTTP/2 connection that
        // another loop reads is locked by that loop while it runs a request handler, which may wait for the session's
        // lock (FrameworkInternals.onLoopOf). A GET answered a moment later is still answered before its client's
        // next request, which waits for it
        FrameworkInternals.onLoopOf(request, () -> answer(server, request, packets));
    }

    private static void answer(EngineServer<?> server, HttpServerRequest request, List<EnginePacket> packets) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.closeHandler(null);
        server.prepare(request, response);
        headers(request, response);
        boolean compress = false;
        for (EnginePacket p : packets) {
            compress |= p.compress();
        }
        Buffer payload;
        String contentType = TEXT;
        String jsonp = Jsonp.callback(request);
        if (RequestBody.eio3(request)) {
            Eio3Codec.Payload p = Eio3Codec.encodePayload(packets, jsonp == null && Query.param(request, "b64") == null);
            payload = p.bytes();
            if (p.binary()) {
                contentType = Eio3Codec.OCTET_STREAM;
            }
        } else {
            payload = Buffer.buffer(EngineCodec.encodePayload(packets));
        }
        if (jsonp != null) {
            payload = Jsonp.script(jsonp, payload.toString(StandardCharsets.UTF_8));
            contentType = Jsonp.CONTENT_TYPE;
        }
        Compression.Body body = server.options().compression().pollingBody(payload,
                request.getHeader(HttpHeaders.ACCEPT_ENCODING), compress);
        server.stats().bytesOut(body.bytes().length());
        if (body.encoding() != null) {
            response.putHeader(HttpHeaders.CONTENT_ENCODING, body.encoding());
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body.bytes());
    }

    /**
     * The headers of every polling answer, as the reference server's: {@code Cache-Control: no-store}, since a poll's
     * answer is never the same twice and no cache on the way may keep it; and {@code X-XSS-Protection: 0} for Internet
     * Explorer, whose XSS filter would otherwise block answers that echo what the client sent.
     */
    public static void headers(HttpServerRequest request, HttpServerResponse response) {
        response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        String ua = request.getHeader(HttpHeaders.USER_AGENT);
        if (ua != null && (ua.contains(";MSIE") || ua.contains("Trident/"))) {
            response.putHeader("X-XSS-Protection", "0");
        }
    }

    @Override
    void close() {
        abortData();
        if (writable()) {
            send(EnginePacket.CLOSE);
        }
    }

    @Override
    void discard() {
        if (writable()) {
            send(EnginePacket.NOOP);
        }
    }
}
