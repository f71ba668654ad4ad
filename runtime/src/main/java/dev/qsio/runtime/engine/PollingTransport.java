package dev.qsio.runtime.engine;

import java.util.List;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * HTTP long-polling: the client holds one GET open to receive and sends with POST. Packets queue in the session
 * until a GET is there to carry them.
 */
final class PollingTransport extends Transport {

    private static final String TEXT = "text/plain; charset=UTF-8";

    private HttpServerRequest pendingGet;
    /** A server of the cluster that parked a GET of this session: the next flush goes there (once). */
    private String remoteReader;
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
        }
    }

    void remoteReader(String member, RemoteSessions remote) {
        this.remoteReader = member;
        this.remote = remote;
    }

    /** Parks a GET; returns false if one is already parked (the caller refuses the request and ends the session). */
    boolean park(HttpServerRequest request) {
        if (pendingGet != null) {
            return false;
        }
        pendingGet = request;
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
        if (pendingGet == null && remoteReader != null) {
            drainRemote(packets, false);
            return;
        }
        respond(EngineCodec.encodePayload(packets));
    }

    @Override
    void send(EnginePacket packet) {
        if (pendingGet == null && remoteReader != null) {
            drainRemote(List.of(packet), false);
            return;
        }
        respond(packet.segment());
    }

    private void drainRemote(List<EnginePacket> packets, boolean close) {
        String member = remoteReader;
        remoteReader = null;
        remote.drain(member, session.id(), packets, close);
    }

    private void respond(String payload) {
        HttpServerRequest request = pendingGet;
        pendingGet = null;
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.closeHandler(null);
        session.server.cors().apply(request, response);
        Buffer body = Buffer.buffer(payload);
        session.server.stats().bytesOut(body.length());
        response.putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(body);
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
