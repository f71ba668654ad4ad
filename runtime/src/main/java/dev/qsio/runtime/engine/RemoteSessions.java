package dev.qsio.runtime.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.requests.RequestTracker;
import io.quarkus.security.identity.SecurityIdentity;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/**
 * Sessions owned by other servers of the cluster, seen from one engine: requests for an unknown session id are
 * resolved over the {@link EnginePeers} (the owner is found, packets are forwarded both ways), and a WebSocket upgrade
 * received here takes the session over when its owner has not handed it to the application yet. Also the owner's
 * side of the same exchange. No sticky sessions are needed.
 */
public final class RemoteSessions {

    private static final Logger LOG = Logger.getLogger(RemoteSessions.class);

    private final EngineServer<?> server;
    private final EnginePeers peers;
    private final long responseTimeoutMs;
    final long delayedConnectionMs;
    private final RequestTracker requests;
    /** Parked GETs whose session lives elsewhere, by sid: answered by the owner's next DRAIN. */
    private final Map<String, RemotePoll> polls = new ConcurrentHashMap<>();
    /**
     * Sessions this server owned and handed to the server that took their upgrade, by sid, for a while: a packet that
     * another server forwarded here just before the hand-over (the client's CONNECT, typically) follows the session.
     */
    private final Map<String, String> movedTo = new ConcurrentHashMap<>();
    /** WebSockets accepted here for sessions owned elsewhere, by sid. */
    private final Map<String, Forwarded> forwarded = new ConcurrentHashMap<>();

    private record RemotePoll(HttpServerRequest request, String owner) {
    }

    private static final class Forwarded {
        final ServerWebSocket ws;
        final String owner;
        /** The client speaks protocol revision 3: its binary frames start with the type byte. */
        final boolean eio3;
        /** The connection, to bound what is queued for the client; null where Vert.x does not expose it. */
        final Channel channel;

        Forwarded(ServerWebSocket ws, String owner, boolean eio3) {
            this.ws = ws;
            this.owner = owner;
            this.eio3 = eio3;
            this.channel = WebSocketTransport.channelOf(ws);
        }
    }

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
            if (outcome instanceof Integer o && o == EngineWire.LOCK_GRANTED) {
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

    /** UPGRADE: the owner says whether the upgrading server takes the session over. */
    private final class UpgradeRequest extends RequestTracker.Request {
        private final ServerWebSocket ws;
        private final String sid;
        private final String owner;
        private final HandshakeRequest handshake;
        private final boolean eio3;
        private EngineWire.Reader response;

        UpgradeRequest(ServerWebSocket ws, String sid, String owner, HandshakeRequest handshake, boolean eio3) {
            super(Set.of(owner));
            this.ws = ws;
            this.sid = sid;
            this.owner = owner;
            this.handshake = handshake;
            this.eio3 = eio3;
        }

        @Override
        protected boolean answered(String from, Object answer) {
            response = (EngineWire.Reader) answer;
            return true;
        }

        @Override
        protected void completed() {
            if (response == null) {
                // the owner left before answering
                ws.close();
                return;
            }
            try {
                boolean takeOver = response.bool();
                List<EnginePacket> packets = response.packets();
                SecurityIdentity established = response.more() ? response.identity() : null;
                if (takeOver) {
                    server.stats().upgradesTakenOver.increment();
                    server.adopt(sid, withIdentity(handshake, established), eio3, ws, packets);
                } else {
                    server.stats().upgradesForwarded.increment();
                    forward(ws, sid, owner, eio3);
                }
            } catch (IOException e) {
                LOG.debugf("bad upgrade response for %s: %s", sid, e.getMessage());
                ws.close();
            }
        }

        @Override
        protected void timedOut() {
            ws.close();
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
    }

    private EngineWire.Writer message(EngineWire.Type type) {
        return new EngineWire.Writer(type, server.path());
    }

    // ================================================================ requester side

    /** A request names a session this server does not have. */
    void handleUnknown(HttpServerRequest request, String sid, String transport, boolean websocket,
            SecurityIdentity identity) {
        boolean polling = "polling".equals(transport);
        boolean malformed = (websocket && !"websocket".equals(transport)) || (!websocket && !polling)
                || (!websocket && request.method() != HttpMethod.GET && request.method() != HttpMethod.POST);
        // the workers of this host are reached without the bus: a session of one of them is served even while the
        // bus has no other member (Redis out of reach), before the bus is asked
        EnginePeers.HandOff handOff = malformed ? null : peers.handOff(sid, request);
        boolean alone = handOff == null && peers.others().isEmpty();
        if (malformed || alone) {
            server.refuse(request, alone ? EngineError.UNKNOWN_SID : EngineError.BAD_REQUEST);
            return;
        }
        boolean read = websocket || request.method() == HttpMethod.GET;
        if (handOff != null) {
            // the owner is on this host: its connection goes there, and the owner serves it as its own
            server.stats().connectionsHandedOff.increment();
            if (read) {
                handOff.send(null);
            } else {
                RequestBody.read(server.vertx(), request, server.options().maxHttpBufferSize(),
                        server.options().pollingBodyTimeoutMs(), handOff::send,
                        failure -> server.bodyRefused(request, failure));
            }
            return;
        }
        // the request waits, paused, for the owner's answer; it is then handled on its own context
        request.pause();
        Context context = Vertx.currentContext();
        String tag = !websocket && read ? Query.param(request, "t") : null;
        acquireLock(sid, transport, read, tag, owner -> {
            if (!websocket && read) {
                // parked at once: the owner's DRAIN follows its answer on the same link
                parkPoll(request, sid, owner);
                context.runOnContext(v -> request.resume());
                return;
            }
            // each path resumes the request once it is ready to read it
            context.runOnContext(v -> {
                if (websocket) {
                    upgradeForOwner(request, sid, owner, identity);
                } else {
                    forwardPost(request, sid, owner);
                }
            });
        }, () -> context.runOnContext(v -> {
            request.resume();
            server.refuse(request, EngineError.UNKNOWN_SID);
        }));
    }

    private void acquireLock(String sid, String transport, boolean read, String tag, Consumer<String> onGranted,
            Runnable onFailure) {
        LockRequest lock = requests.open(new LockRequest(peers.others(), onGranted, onFailure), responseTimeoutMs);
        peers.publish(message(EngineWire.Type.ACQUIRE_LOCK).num(lock.id()).str(sid).str(transport).bool(read)
                .str(tag == null ? "" : tag).buffer());
    }

    private void parkPoll(HttpServerRequest request, String sid, String owner) {
        RemotePoll poll = new RemotePoll(request, owner);
        if (polls.putIfAbsent(sid, poll) != null) {
            server.refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        request.response().closeHandler(v -> {
            if (polls.remove(sid, poll)) {
                peers.send(owner, message(EngineWire.Type.CLOSE).str(sid).str("transport close").buffer());
            }
        });
        server.stats().forwardedRequests.increment();
    }

    private void forwardPost(HttpServerRequest request, String sid, String owner) {
        server.stats().forwardedRequests.increment();
        RequestBody.read(server.vertx(), request, server.options().maxHttpBufferSize(),
                server.options().pollingBodyTimeoutMs(), body -> {
                    List<EnginePacket> packets;
                    try {
                        // checked here, so that the client gets the answer its session's own server would give
                        packets = EngineServer.decodePayload(request, body);
                    } catch (MalformedPacketException e) {
                        server.refuse(request, EngineError.BAD_REQUEST);
                        peers.send(owner, message(EngineWire.Type.CLOSE).str(sid).str("parse error").buffer());
                        return;
                    }
                    if (EngineServer.eio3(request)) {
                        // a revision 3 payload is framed otherwise: its packets go one by one, as revision 4 segments
                        for (EnginePacket p : packets) {
                            peers.send(owner, message(EngineWire.Type.PACKET).str(sid).bool(false).str(p.segment()).buffer());
                        }
                    } else {
                        peers.send(owner, message(EngineWire.Type.PACKET).str(sid).bool(true)
                                .str(body.toString(StandardCharsets.UTF_8)).buffer());
                    }
                    HttpServerResponse response = request.response();
                    server.prepare(request, response);
                    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html").end("ok");
                }, failure -> {
                    server.bodyRefused(request, failure);
                    // the session ends, as it does for the same failure on its own server
                    peers.send(owner, message(EngineWire.Type.CLOSE).str(sid).str("transport error").buffer());
                });
    }


    /** A WebSocket upgrade for a session owned elsewhere: probe it here, then take the session over or forward. */
    private void upgradeForOwner(HttpServerRequest request, String sid, String owner, SecurityIdentity identity) {
        HandshakeRequest handshake = EngineServer.capture(request, identity);
        boolean eio3 = EngineServer.eio3(request);
        Future<ServerWebSocket> upgrade = server.options().compression().accept(request);
        request.resume();
        upgrade.onComplete(ar -> {
            if (ar.failed()) {
                peers.send(owner, message(EngineWire.Type.UPGRADE).num(-1).str(sid).bool(false).buffer());
                return;
            }
            ServerWebSocket ws = ar.result();
            boolean[] settled = new boolean[1];
            long timer = server.vertx().setTimer(server.options().upgradeTimeoutMs(), t -> {
                if (!settled[0]) {
                    settled[0] = true;
                    ws.close();
                    peers.send(owner, message(EngineWire.Type.UPGRADE).num(-1).str(sid).bool(false).buffer());
                }
            });
            WebSocketMessages.read(ws, server.options().maxHttpBufferSize(),text -> {
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
                    peers.send(owner, message(EngineWire.Type.UPGRADE).num(-1).str(sid).bool(false).buffer());
                }
            }, data -> {
                // nothing but the probe is expected before the upgrade completes: ignored, as before
            }, code -> {
            });
            // once the upgrade packet came, the owner's answer finds the WebSocket closed (forward, adopt)
            ws.closeHandler(v -> {
                if (!settled[0]) {
                    settled[0] = true;
                    server.vertx().cancelTimer(timer);
                    peers.send(owner, message(EngineWire.Type.UPGRADE).num(-1).str(sid).bool(false).buffer());
                }
            });
        });
    }

    private void completeUpgrade(ServerWebSocket ws, String sid, String owner, HandshakeRequest handshake, boolean eio3) {
        UpgradeRequest upgrade = requests.open(new UpgradeRequest(ws, sid, owner, handshake, eio3), responseTimeoutMs);
        peers.send(owner, message(EngineWire.Type.UPGRADE).num(upgrade.id()).str(sid).bool(true).buffer());
    }

    /**
     * Relays a WebSocket whose session stays with its owner. Its client may have closed it while the owner answered
     * (Vert.x then refuses handlers on it): the owner is told, as it would be of a close a moment later.
     */
    private void forward(ServerWebSocket ws, String sid, String owner, boolean eio3) {
        Forwarded f = new Forwarded(ws, owner, eio3);
        forwarded.put(sid, f);
        try {
            // first: from here on its close is seen, or it is closed already and this throws
            ws.closeHandler(v -> relayEnded(sid, f));
            readRelayed(ws, sid, f);
        } catch (IllegalStateException closed) {
            LOG.debugf("session %s: its WebSocket closed before its owner answered the upgrade", sid);
            relayEnded(sid, f);
            return;
        }
        ws.resume();
    }

    private void relayEnded(String sid, Forwarded f) {
        if (forwarded.remove(sid, f)) {
            peers.send(f.owner, message(EngineWire.Type.CLOSE).str(sid).str("transport close").buffer());
        }
    }

    private void readRelayed(ServerWebSocket ws, String sid, Forwarded f) {
        String owner = f.owner;
        boolean eio3 = f.eio3;
        WebSocketMessages.read(ws, server.options().maxHttpBufferSize(),
                text -> peers.send(owner, message(EngineWire.Type.PACKET).str(sid).bool(false).str(text).buffer()),
                data -> {
                    EnginePacket packet;
                    try {
                        packet = eio3 ? Eio3Codec.decodeFrame(data) : EnginePacket.message(data);
                    } catch (MalformedPacketException e) {
                        if (forwarded.remove(sid, f)) {
                            ws.close();
                            peers.send(owner, message(EngineWire.Type.CLOSE).str(sid).str("parse error").buffer());
                        }
                        return;
                    }
                    peers.send(owner, message(EngineWire.Type.PACKET).str(sid).bool(false).str(packet.segment()).buffer());
                },
                // the close that follows tells the owner
                code -> {
                });
    }

    /** Whether a WebSocket of session {@code sid} is relayed here to its owner. */
    boolean relays(String sid) {
        return forwarded.containsKey(sid);
    }

    // ================================================================ owner side

    /** Sends packets for a session's client through the server that holds its transport. */
    void drain(String member, String sid, List<EnginePacket> packets, boolean close) {
        if (LOG.isDebugEnabled()) {
            LOG.debugf("session %s: %d packets to the GET parked at %s", sid, packets.size(), member);
        }
        peers.send(member, message(EngineWire.Type.DRAIN).str(sid).packets(packets).bool(close).buffer());
    }

    // ================================================================ incoming

    /** A message from another server's engine. */
    public void onMessage(String from, EngineWire.Reader r) {
        try {
            switch (r.type) {
                case ACQUIRE_LOCK -> onAcquireLock(from, r);
                case ACQUIRE_LOCK_RESPONSE -> onLockResponse(from, r);
                case DRAIN -> onDrain(r);
                case PACKET -> onPacket(r);
                case UPGRADE -> onUpgrade(from, r);
                case UPGRADE_RESPONSE -> onUpgradeResponse(from, r);
                case CLOSE -> onRemoteClose(from, r);
            }
        } catch (IOException e) {
            LOG.debugf("bad %s message from %s: %s", r.type, from, e.getMessage());
        }
    }

    private void onAcquireLock(String from, EngineWire.Reader r) throws IOException {
        long id = r.num();
        String sid = r.str();
        String transport = r.str();
        boolean read = r.bool();
        // a GET's tag; absent from servers of earlier versions
        String tag = r.more() ? r.str() : "";
        if (tag.isEmpty()) {
            tag = null;
        }
        EngineSession<?> session = server.session(sid);
        int outcome;
        if (session == null) {
            outcome = EngineWire.NOT_HERE;
        } else {
            outcome = session.lockableBy(transport, read, tag) ? EngineWire.LOCK_GRANTED : EngineWire.LOCK_REFUSED;
        }
        peers.send(from, message(EngineWire.Type.ACQUIRE_LOCK_RESPONSE).num(id).num(outcome).buffer());
        if (LOG.isDebugEnabled() && outcome != EngineWire.NOT_HERE) {
            LOG.debugf("session %s: %s %s from %s (tag %s) %s", sid, transport, read ? "read" : "write", from, tag,
                    outcome == EngineWire.LOCK_GRANTED ? "granted" : "refused");
        }
        if (outcome == EngineWire.LOCK_GRANTED) {
            if ("polling".equals(transport) && read) {
                session.remoteReader(from, tag);
            } else if ("websocket".equals(transport)) {
                session.remoteUpgradeStarted(from);
            }
        }
    }

    private void onLockResponse(String from, EngineWire.Reader r) throws IOException {
        long id = r.num();
        int outcome = (int) r.num();
        requests.answer(id, from, outcome);
    }

    private void onDrain(EngineWire.Reader r) throws IOException {
        String sid = r.str();
        List<EnginePacket> packets = r.packets();
        boolean close = r.bool();
        RemotePoll poll = polls.remove(sid);
        if (LOG.isDebugEnabled()) {
            LOG.debugf("session %s: %d packets for %s", sid, packets.size(), poll == null ? "no parked GET"
                    : poll.request.response().closed() ? "a GET whose connection closed" : "the parked GET");
        }
        if (poll != null) {
            HttpServerResponse response = poll.request.response();
            if (!response.ended() && !response.closed()) {
                List<EnginePacket> out = packets;
                if (close && packets.stream().noneMatch(p -> p.type == EnginePacketType.CLOSE)) {
                    out = new ArrayList<>(packets);
                    out.add(EnginePacket.CLOSE);
                }
                PollingTransport.respond(server, poll.request, out.isEmpty() ? List.of(EnginePacket.NOOP) : out);
            }
            return;
        }
        Forwarded f = forwarded.get(sid);
        if (f != null) {
            if (overflows(f, packets)) {
                // the owner's bound covers what it holds; what waits here for a client that does not read is
                // bounded here, by the same setting, and ends the session the same way
                server.stats().bufferOverflows.increment();
                if (forwarded.remove(sid, f)) {
                    WebSocketTransport.abort(f.channel);
                    peers.send(f.owner, message(EngineWire.Type.CLOSE).str(sid).str(EngineSession.BUFFER_FULL).buffer());
                }
                return;
            }
            for (EnginePacket p : packets) {
                f.ws.writeFrame(WebSocketTransport.frame(p, p.frame(f.eio3)));
            }
            if (close && forwarded.remove(sid, f)) {
                f.ws.close();
            }
        }
    }

    /** Whether writing these packets would take what is queued for a relayed WebSocket's client past the bound. */
    private boolean overflows(Forwarded f, List<EnginePacket> packets) {
        long size = 0;
        for (EnginePacket p : packets) {
            size += p.size();
        }
        return EngineSession.pastBound(WebSocketTransport.backlog(f.channel), size, server.options().maxBufferedBytes());
    }

    private void onPacket(EngineWire.Reader r) throws IOException {
        String sid = r.str();
        boolean payload = r.bool();
        String text = r.str();
        EngineSession<?> session = server.session(sid);
        if (session == null) {
            String owner = movedTo.get(sid);
            if (owner != null) {
                peers.send(owner, message(EngineWire.Type.PACKET).str(sid).bool(payload).str(text).buffer());
            }
            return;
        }
        try {
            if (payload) {
                for (EnginePacket p : EngineCodec.decodePayload(text)) {
                    session.onRemotePacket(p);
                }
            } else {
                session.onRemotePacket(EngineCodec.decode(text));
            }
        } catch (MalformedPacketException e) {
            session.onError(e.getMessage());
        }
    }

    private void onUpgrade(String from, EngineWire.Reader r) throws IOException {
        long id = r.num();
        String sid = r.str();
        boolean success = r.bool();
        EngineSession<?> session = server.session(sid);
        if (session == null) {
            return;
        }
        List<EnginePacket> takeOver = session.remoteUpgradeDone(from, success, this);
        if (takeOver != null) {
            movedTo.put(sid, from);
            server.vertx().setTimer(2 * responseTimeoutMs, t -> movedTo.remove(sid, from));
        }
        if (id >= 0 && success) {
            // a session taken over keeps who its handshake said its client is (added field: older servers stop reading
            // before it)
            peers.send(from, message(EngineWire.Type.UPGRADE_RESPONSE).num(id).bool(takeOver != null)
                    .packets(takeOver == null ? List.of() : takeOver)
                    .identity(takeOver == null ? null : session.request().identity()).buffer());
            if (takeOver == null) {
                session.flushAfterUpgrade();
            }
        }
    }

    private void onUpgradeResponse(String from, EngineWire.Reader r) throws IOException {
        requests.answer(r.num(), from, r);
    }

    private void onRemoteClose(String from, EngineWire.Reader r) throws IOException {
        String sid = r.str();
        String reason = r.str();
        EngineSession<?> session = server.session(sid);
        if (session != null) {
            session.onRemoteTransportClosed(from, reason);
        }
    }

    /** Answers a lookup for a path that has no server here yet: it cannot own the session. */
    static void answerWithoutServer(EnginePeers peers, String from, Buffer message) {
        try {
            EngineWire.Reader r = new EngineWire.Reader(message);
            if (r.type == EngineWire.Type.ACQUIRE_LOCK) {
                long id = r.num();
                peers.send(from, new EngineWire.Writer(EngineWire.Type.ACQUIRE_LOCK_RESPONSE, r.path).num(id)
                        .num(EngineWire.NOT_HERE).buffer());
            }
        } catch (IOException e) {
            LOG.debugf("bad engine message from %s: %s", from, e.getMessage());
        }
    }

    /**
     * A server left the cluster (it died or stopped): the requests and WebSockets relayed to it end, so that their
     * clients reconnect at once instead of waiting for a heartbeat timeout, and sessions here that wrote through it
     * end too.
     */
    void onMemberLeft(String member) {
        polls.forEach((sid, poll) -> {
            if (poll.owner.equals(member) && polls.remove(sid, poll)) {
                HttpServerResponse response = poll.request.response();
                PollingTransport.respond(server, poll.request, List.of(EnginePacket.CLOSE));
            }
        });
        forwarded.forEach((sid, f) -> {
            if (f.owner.equals(member) && forwarded.remove(sid, f)) {
                f.ws.close();
            }
        });
        requests.memberLeft(member);
        for (EngineSession<?> session : server.sessions()) {
            session.onMemberLeft(member);
        }
    }

    /** Closes the transports this server holds for others (shutdown). */
    void closeAll() {
        polls.values().forEach(p -> p.request.response().setStatusCode(503).end());
        polls.clear();
        forwarded.values().forEach(f -> f.ws.close());
        forwarded.clear();
    }
}
