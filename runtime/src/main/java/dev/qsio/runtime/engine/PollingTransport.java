package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
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
final class PollingTransport extends Transport {

    private static final String TEXT = "text/plain; charset=UTF-8";
    private static final int ANSWERED_TAGS_KEPT = 16;

    private HttpServerRequest pendingGet;
    /** A server of the cluster that parked a GET of this session: the next flush goes there (once). */
    private String remoteReader;
    /** The tag of the GET that receives next (parked here or elsewhere), or null. */
    private String readerTag;
    /** The tag of the last GET answered, and what it carried. */
    private String lastTag;
    private List<EnginePacket> lastPackets = List.of();
    /** The tags of the GETs answered lately, newest last. */
    private final ArrayDeque<String> answeredTags = new ArrayDeque<>();
    private RemoteSessions remote;
    private boolean dataPending;
    private boolean discarded;

    PollingTransport(EngineSession<?> session) {
        super(session);
    }

    @Override
    String name() {
        return "polling";
    }

    @Override
    boolean writable() {
        return pendingGet != null || remoteReader != null;
    }

    /** Whether a GET is parked on this server. */
    boolean parkedHere() {
        return pendingGet != null;
    }

    void forgetRemoteReader(String member) {
        if (member.equals(remoteReader)) {
            remoteReader = null;
            readerTag = null;
        }
    }

    /** The server that holds this session's GET, or null. */
    String remoteReader() {
        return remoteReader;
    }

    void remoteReader(String member, String tag, RemoteSessions remote) {
        this.remoteReader = member;
        this.readerTag = tag;
        this.remote = remote;
    }

    /** Whether a GET of this tag was answered last: it is a retry of that GET. */
    boolean answered(String tag) {
        return tag != null && tag.equals(lastTag);
    }

    /** Whether a GET of this tag was answered before the last one: the client is past it. */
    boolean stale(String tag) {
        return tag != null && !tag.equals(lastTag) && answeredTags.contains(tag);
    }

    /**
     * Whether a GET of this tag is a retry of the GET that waits now (parked here or elsewhere), whose connection
     * its server or a proxy gave up: that one is abandoned for it.
     */
    boolean retryOfWaiting(String tag) {
        return writable() && tag != null && tag.equals(readerTag);
    }

    /** Abandons the GET that waits now, for a retry of it: the one here gets an empty answer, nobody reads it. */
    void abandonWaiting() {
        if (pendingGet != null) {
            HttpServerRequest old = pendingGet;
            pendingGet = null;
            respond(session.server, old, List.of(EnginePacket.NOOP));
        }
        remoteReader = null;
        readerTag = null;
    }

    /** What the last GET carried, for a retry of it. */
    List<EnginePacket> lastPackets() {
        return lastPackets;
    }

    /** Answers a retried GET with what the GET it repeats carried. */
    void replay(HttpServerRequest request) {
        respond(session.server, request, lastPackets.isEmpty() ? List.of(EnginePacket.NOOP) : lastPackets);
    }

    /** Parks a GET; returns false if one is already parked (the caller refuses the request and ends the session). */
    boolean park(HttpServerRequest request, String tag) {
        if (pendingGet != null) {
            return false;
        }
        pendingGet = request;
        readerTag = tag;
        remoteReader = null;
        request.response().closeHandler(v -> session.pollClosed(this, request));
        return true;
    }

    boolean isPending(HttpServerRequest request) {
        return pendingGet == request;
    }

    /** Marks a POST as in progress; returns false if one already is. */
    boolean beginData() {
        if (dataPending) {
            return false;
        }
        dataPending = true;
        return true;
    }

    void endData() {
        dataPending = false;
    }

    @Override
    void send(List<EnginePacket> packets) {
        answered(packets);
        if (pendingGet == null && remoteReader != null) {
            drainRemote(packets, false);
            return;
        }
        respond(packets);
    }

    @Override
    void send(EnginePacket packet) {
        answered(List.of(packet));
        if (pendingGet == null && remoteReader != null) {
            drainRemote(List.of(packet), false);
            return;
        }
        respond(List.of(packet));
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

    private void drainRemote(List<EnginePacket> packets, boolean close) {
        String member = remoteReader;
        remoteReader = null;
        remote.drain(member, session.id(), packets, close);
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
    static void respond(EngineServer<?> server, HttpServerRequest request, List<EnginePacket> packets) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.closeHandler(null);
        server.prepare(request, response);
        boolean compress = false;
        for (EnginePacket p : packets) {
            compress |= p.compress();
        }
        Buffer payload;
        String contentType = TEXT;
        String jsonp = Jsonp.callback(request);
        if (EngineServer.eio3(request)) {
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

    @Override
    void close() {
        if (writable()) {
            send(EnginePacket.CLOSE);
        }
    }

    @Override
    void discard() {
        discarded = true;
        if (writable()) {
            send(EnginePacket.NOOP);
        }
    }

    boolean discarded() {
        return discarded;
    }
}
