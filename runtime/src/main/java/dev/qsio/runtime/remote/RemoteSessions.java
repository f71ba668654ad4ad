package dev.qsio.runtime.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.jboss.logging.Logger;
import org.msgpack.core.MessagePackException;

import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.engine.EngineError;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.MalformedPacketException;
import dev.qsio.runtime.engine.OtherServers;
import dev.qsio.runtime.engine.PollingTransport;
import dev.qsio.runtime.engine.Query;
import dev.qsio.runtime.engine.RequestBody;
import dev.qsio.runtime.engine.TransportKind;
import dev.qsio.runtime.engine.Transports;
import dev.qsio.runtime.engine.UpgradeStream;
import dev.qsio.runtime.engine.WebSocketMessages;
import dev.qsio.runtime.requests.RequestTracker;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/**
 * One engine server's view of the other servers of its cluster (the engine's {@link OtherServers}), after
 * {@code @socket.io/cluster-engine}: a request for a session this server does not have is handed to the worker of this
 * host that owns it, or served here for the owner found over the {@link EnginePeers} (a poll parked here until the
 * owner drains it, a send forwarded, a WebSocket upgrade that takes the session over when its owner has not handed it
 * to the application yet, else relayed). The owner's side of the same exchange is {@link OwnerSide}; the connections
 * held here for other owners are {@link HeldConnections}. No sticky sessions are needed.
 */
final class RemoteSessions implements OtherServers {

    private static final Logger LOG = Logger.getLogger(RemoteSessions.class);

    /** The length of the session ids of a cluster ({@code Ids}): another is no session of any server. */
    private static final int SESSION_ID_LENGTH = 20;

    private final EngineServer<?> server;
    private final EnginePeers peers;
    private final long responseTimeoutMs;
    private final long delayedConnectionMs;
    private final RequestTracker requests;
    private final HeldConnections held;
    private final OwnerSide ownSessions;

    /** ACQUIRE_LOCK: asks every other server; the owner grants, the others refuse. */
    private static final class LockRequest extends RequestTracker.Request {
        private final Consumer<String> onGranted;
        private final Runnable onFailure;
        private String owner;

        LockRequest(Set<String> others, Consumer<String> onGranted, Runnable onFailure) {
            super(others);
            this.onGranted = onGranted;
            this.onFailure = onFailure;
        }

        @Override
        protected boolean answered(String from, Object outcome) {
            if (outcome instanceof Integer o && o == EngineMessages.LOCK_GRANTED) {
                owner = from;
            }
            return true;
        }

        @Override
        protected boolean satisfied() {
            return owner != null || remaining() == 0;
        }

        @Override
        protected void completed() {
            if (owner != null) {
                onGranted.accept(owner);
            } else {
                onFailure.run();
            }
        }

        @Override
        protected void timedOut() {
            onFailure.run();
        }
    }

    /**
     * UPGRADE: the owner says whether the upgrading server takes the session over (the client's connection is then
     * the session's transport here) or relays the connection to it.
     */
    private final class UpgradeRequest extends RequestTracker.Request {
        private final String sid;
        private final HandshakeRequest handshake;
        /** Ends the client's connection: no answer came, or a bad one. */
        private final Runnable abandon;
        private final BiConsumer<HandshakeRequest, List<EnginePacket>> takeOver;
        private final Runnable relay;
        private EngineMessages.Reader response;

        UpgradeRequest(String sid, String owner, HandshakeRequest handshake, Runnable abandon,
                BiConsumer<HandshakeRequest, List<EnginePacket>> takeOver, Runnable relay) {
            super(Set.of(owner));
            this.sid = sid;
            this.handshake = handshake;
            this.abandon = abandon;
            this.takeOver = takeOver;
            this.relay = relay;
        }

        @Override
        protected boolean answered(String from, Object answer) {
            response = (EngineMessages.Reader) answer;
            return true;
        }

        @Override
        protected void completed() {
            if (response == null) {
                // the owner left before answering
                abandon.run();
                return;
            }
            try {
                boolean taken = response.bool();
                List<EnginePacket> packets = response.packets();
                SecurityIdentity established = response.more() ? response.identity() : null;
                if (taken) {
                    server.stats().increment(EngineFigure.UPGRADES_TAKEN_OVER);
                    takeOver.accept(withIdentity(handshake, established), packets);
                } else {
                    server.stats().increment(EngineFigure.UPGRADES_FORWARDED);
                    relay.run();
                }
            } catch (IOException e) {
                LOG.debugf("bad upgrade response for %s: %s", sid, e.getMessage());
                abandon.run();
            }
        }

        @Override
        protected void timedOut() {
            abandon.run();
        }
    }

    /**
     * The handshake of a session taken over: the upgrade request's, with the identity the session's handshake
     * established on its former owner. The upgrade request's own identity is kept when it is the same principal (it
     * is complete: credentials, attributes, permissions); otherwise (a browser cannot send on a WebSocket the
     * header it sent on polling) the former owner's name, roles and expiry stand.
     */
    static HandshakeRequest withIdentity(HandshakeRequest upgrade, SecurityIdentity established) {
        if (established == null || established.isAnonymous()) {
            return upgrade;
        }
        SecurityIdentity own = upgrade.identity();
        if (own != null && !own.isAnonymous() && own.getPrincipal() != null
                && own.getPrincipal().getName().equals(established.getPrincipal().getName())) {
            return upgrade;
        }
        return new HandshakeRequest(upgrade.method(), upgrade.path(), upgrade.headers(), upgrade.query(),
                upgrade.remoteAddress(), upgrade.secure(), upgrade.time(), established);
    }

    RemoteSessions(EngineServer<?> server, EnginePeers peers, long responseTimeoutMs, long delayedConnectionMs) {
        this.server = server;
        this.peers = peers;
        this.responseTimeoutMs = responseTimeoutMs;
        this.delayedConnectionMs = delayedConnectionMs;
        this.requests = new RequestTracker(server.vertx());
        this.held = new HeldConnections(server, peers);
        this.ownSessions = new OwnerSide(server, peers, responseTimeoutMs);
    }

    private EngineMessages.Writer message(EngineMessages.Type type) {
        return new EngineMessages.Writer(type, server.path());
    }

    @Override
    public String newSessionId() {
        return peers.newSessionId();
    }

    @Override
    public boolean closesIdleConnections() {
        return peers.closesIdleConnections();
    }

    @Override
    public long delayedConnectionMs() {
        return delayedConnectionMs;
    }

    // ================================================================ requester side

    /** A request names a session this server does not have. */
    @Override
    public boolean serve(HttpServerRequest request, String sid, TransportKind kind, boolean upgrade,
            SecurityIdentity identity) {
        if (sid.length() != SESSION_ID_LENGTH) {
            return false;
        }
        boolean malformed = upgrade == kind.requestBased()
                || (!upgrade && request.method() != HttpMethod.GET && request.method() != HttpMethod.POST);
        // the workers of this host are reached without the bus: a session of one of them is served even while the
        // bus has no other member (Redis out of reach), before the bus is asked
        EnginePeers.HandOff handOff = malformed ? null : peers.handOff(sid, request);
        boolean alone = handOff == null && peers.others().isEmpty();
        if (malformed || alone) {
            server.refuse(request, alone ? EngineError.UNKNOWN_SID : EngineError.BAD_REQUEST);
            return true;
        }
        boolean read = upgrade || request.method() == HttpMethod.GET;
        if (handOff != null) {
            // the owner is on this host: its connection goes there, and the owner serves it as its own
            server.stats().increment(EngineFigure.CONNECTIONS_HANDED_OFF);
            if (read) {
                handOff.send(null);
            } else {
                RequestBody.read(server.vertx(), request, server.options().maxHttpBufferSize(),
                        server.options().pollingBodyTimeoutMs(), handOff::send,
                        failure -> server.bodyRefused(request, failure));
            }
            return true;
        }
        // the request waits, paused, for the owner's answer; it is then handled on its own context
        request.pause();
        Context context = Vertx.currentContext();
        String tag = !upgrade && read ? Query.param(request, "t") : null;
        acquireLock(sid, kind, read, tag, owner -> {
            if (!upgrade && read) {
                // parked at once: the owner's DRAIN follows its answer on the same link
                held.park(request, sid, owner);
                context.runOnContext(v -> request.resume());
                return;
            }
            // each path resumes the request once it is ready to read it
            context.runOnContext(v -> {
                if (upgrade) {
                    upgradeForOwner(request, sid, owner, identity);
                } else {
                    forwardPost(request, sid, owner);
                }
            });
        }, () -> context.runOnContext(v -> {
            request.resume();
            server.refuse(request, EngineError.UNKNOWN_SID);
        }));
        return true;
    }

    private void acquireLock(String sid, TransportKind kind, boolean read, String tag, Consumer<String> onGranted,
            Runnable onFailure) {
        LockRequest lock = requests.open(new LockRequest(peers.others(), onGranted, onFailure), responseTimeoutMs);
        peers.publish(message(EngineMessages.Type.ACQUIRE_LOCK).num(lock.id()).str(sid).str(kind.name()).bool(read)
                .str(tag == null ? "" : tag).buffer());
    }

    private void forwardPost(HttpServerRequest request, String sid, String owner) {
        server.stats().increment(EngineFigure.FORWARDED_REQUESTS);
        RequestBody.read(server.vertx(), request, server.options().maxHttpBufferSize(),
                server.options().pollingBodyTimeoutMs(), body -> {
                    List<EnginePacket> packets;
                    try {
                        // checked here, so that the client gets the answer its session's own server would give
                        packets = RequestBody.decodePayload(request, body);
                    } catch (MalformedPacketException e) {
                        // the owner is told before the client is answered, as a session's own server closes it first
                        peers.send(owner, message(EngineMessages.Type.CLOSE).str(sid).str("parse error").buffer());
                        server.refuse(request, EngineError.BAD_REQUEST);
                        return;
                    }
                    if (RequestBody.eio3(request)) {
                        // a revision 3 payload is framed otherwise: its packets go one by one, as revision 4 segments
                        for (EnginePacket p : packets) {
                            peers.send(owner, message(EngineMessages.Type.PACKET).str(sid).bool(false).str(p.segment()).buffer());
                        }
                    } else {
                        peers.send(owner, message(EngineMessages.Type.PACKET).str(sid).bool(true)
                                .str(body.toString(StandardCharsets.UTF_8)).buffer());
                    }
                    HttpServerResponse response = request.response();
                    server.prepare(request, response);
                    PollingTransport.headers(request, response);
                    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html").end("ok");
                }, failure -> {
                    // the session ends, as it does for the same failure on its own server
                    peers.send(owner, message(EngineMessages.Type.CLOSE).str(sid).str("transport error").buffer());
                    server.bodyRefused(request, failure);
                });
    }


    /** A WebSocket upgrade for a session owned elsewhere: probe it here, then take the session over or forward. */
    private void upgradeForOwner(HttpServerRequest request, String sid, String owner, SecurityIdentity identity) {
        HandshakeRequest handshake = EngineServer.capture(request, identity);
        boolean eio3 = RequestBody.eio3(request);
        Future<ServerWebSocket> upgrade = server.options().compression().accept(request);
        request.resume();
        upgrade.onComplete(ar -> {
            if (ar.failed()) {
                upgradeFailed(sid, owner);
                return;
            }
            ServerWebSocket ws = ar.result();
            boolean[] settled = new boolean[1];
            long timer = server.vertx().setTimer(server.options().upgradeTimeoutMs(), t -> {
                if (!settled[0]) {
                    settled[0] = true;
                    ws.close();
                    upgradeFailed(sid, owner);
                }
            });
            WebSocketMessages.read(ws, server.options().maxHttpBufferSize(), text -> {
                if (settled[0]) {
                    return;
                }
                if ("2probe".equals(text)) {
                    ws.writeTextMessage("3probe");
                } else if ("5".equals(text)) {
                    settled[0] = true;
                    server.vertx().cancelTimer(timer);
                    ws.pause();
                    completeUpgrade(ws, sid, owner, handshake, eio3);
                } else {
                    settled[0] = true;
                    server.vertx().cancelTimer(timer);
                    ws.close();
                    upgradeFailed(sid, owner);
                }
            }, data -> {
                // nothing but the probe is expected before the upgrade completes: ignored, as before
            }, code -> {
            });
            // once the upgrade packet came, the owner's answer finds the WebSocket closed (relay, adopt)
            ws.closeHandler(v -> {
                if (!settled[0]) {
                    settled[0] = true;
                    server.vertx().cancelTimer(timer);
                    upgradeFailed(sid, owner);
                }
            });
        });
    }

    private void completeUpgrade(ServerWebSocket ws, String sid, String owner, HandshakeRequest handshake, boolean eio3) {
        upgraded(new UpgradeRequest(sid, owner, handshake, ws::close,
                (established, packets) -> server.adopt(sid, established, eio3, ws, packets),
                () -> held.relay(ws, sid, owner, eio3)), sid, owner);
    }

    /** The probe of an upgrade for {@code owner}'s session succeeded here: the owner says what follows. */
    private void upgraded(UpgradeRequest upgrade, String sid, String owner) {
        requests.open(upgrade, responseTimeoutMs);
        peers.send(owner, message(EngineMessages.Type.UPGRADE).num(upgrade.id()).str(sid).bool(true).buffer());
    }

    private void upgradeFailed(String sid, String owner) {
        peers.send(owner, message(EngineMessages.Type.UPGRADE).num(-1).str(sid).bool(false).buffer());
    }

    /**
     * A WebTransport upgrade for a session this server does not have. Its QUIC connection reached this server, and
     * cannot be handed to another: once the owner grants it, the stream is probed here, then the session is taken over
     * here or the stream relayed to the owner, as a WebSocket upgrade is. Between the workers of a host this goes
     * over the bus too.
     */
    @Override
    public boolean serve(String sid, UpgradeStream stream) {
        if (sid.length() != SESSION_ID_LENGTH || peers.others().isEmpty()) {
            return false;
        }
        acquireLock(sid, Transports.named("webtransport"), true, null,
                owner -> stream.probe(
                        () -> upgraded(new UpgradeRequest(sid, owner, stream.handshake(), stream::close,
                                (established, packets) -> server.adopt(sid, established, stream, packets),
                                () -> held.relay(stream, sid, owner)), sid, owner),
                        () -> upgradeFailed(sid, owner)),
                stream::close);
        return true;
    }

    // ================================================================ incoming

    /** A message from another server's engine. */
    void onMessage(String from, EngineMessages.Reader r) {
        try {
            switch (r.type) {
                case ACQUIRE_LOCK -> ownSessions.onAcquireLock(from, r);
                case ACQUIRE_LOCK_RESPONSE -> onLockResponse(from, r);
                case DRAIN -> held.onDrain(r);
                case PACKET -> ownSessions.onPacket(r);
                case UPGRADE -> ownSessions.onUpgrade(from, r);
                case UPGRADE_RESPONSE -> requests.answer(r.num(), from, r);
                case CLOSE -> ownSessions.onClose(from, r);
            }
        } catch (IOException | MessagePackException e) {
            // a field of the wrong type (msgpack-core says so unchecked): that message alone is dropped
            LOG.debugf("bad %s message from %s: %s", r.type, from, e.getMessage());
        }
    }

    private void onLockResponse(String from, EngineMessages.Reader r) throws IOException {
        long id = r.num();
        int outcome = (int) r.num();
        requests.answer(id, from, outcome);
    }

    /** Whether a WebSocket of session {@code sid} is relayed here to its owner. */
    boolean relays(String sid) {
        return held.relays(sid);
    }

    /**
     * A server left the cluster (it died or stopped): the requests and WebSockets held for it end, so that their
     * clients reconnect at once instead of waiting for a heartbeat timeout, and sessions here whose connection it held
     * end too.
     */
    void onMemberLeft(String member) {
        held.onMemberLeft(member);
        requests.memberLeft(member);
        ownSessions.onMemberLeft(member);
    }

    @Override
    public void shutdown() {
        held.closeAll();
    }
}
