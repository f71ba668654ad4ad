package dev.qsio.runtime.remote;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.qsio.runtime.engine.EngineCodec;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.engine.MalformedPacketException;
import dev.qsio.runtime.engine.Relay;
import dev.qsio.runtime.engine.SessionLease;
import dev.qsio.runtime.engine.TransportKind;
import dev.qsio.runtime.engine.Transports;

/**
 * The owner's side: this server's sessions as the other servers reach them. It grants the locks they ask before
 * serving a request of a session of this server (ACQUIRE_LOCK), takes the client's packets they forward (PACKET), and
 * hears how an upgrade they probed ended (UPGRADE): the session moves there if the application has not seen it yet,
 * otherwise it writes through that server. What a session writes to a connection another server holds goes there as
 * DRAIN, through a {@link Relay} given to the session.
 */
final class OwnerSide {

    private static final Logger LOG = Logger.getLogger(OwnerSide.class);

    private final EngineServer<?> server;
    private final EnginePeers peers;
    private final long responseTimeoutMs;
    /**
     * Sessions this server owned and handed to the server that took their upgrade, by sid, for a while: a packet that
     * another server forwarded here just before the hand-over (the client's CONNECT, typically) follows the session.
     */
    private final Map<String, String> movedTo = new ConcurrentHashMap<>();

    OwnerSide(EngineServer<?> server, EnginePeers peers, long responseTimeoutMs) {
        this.server = server;
        this.peers = peers;
        this.responseTimeoutMs = responseTimeoutMs;
    }

    private EngineMessages.Writer message(EngineMessages.Type type) {
        return new EngineMessages.Writer(type, server.path());
    }

    /** A connection of session {@code sid} that server {@code holder} holds: packets go there as DRAIN. */
    private final class Drain implements Relay {
        private final String holder;
        private final String sid;

        Drain(String holder, String sid) {
            this.holder = holder;
            this.sid = sid;
        }

        @Override
        public String holder() {
            return holder;
        }

        @Override
        public void drain(List<EnginePacket> packets, boolean close) {
            if (LOG.isDebugEnabled()) {
                LOG.debugf("session %s: %d packets to the GET parked at %s", sid, packets.size(), holder);
            }
            peers.send(holder, message(EngineMessages.Type.DRAIN).str(sid).packets(packets).bool(close).buffer());
        }
    }

    /** The lease of this server's session {@code sid} (every session has one in a cluster), or null: no such session. */
    private SessionLease lease(String sid) {
        EngineSession<?> session = server.session(sid);
        return session == null ? null : session.lease();
    }

    /** ACQUIRE_LOCK: may {@code from} serve a request of one of this server's sessions? */
    void onAcquireLock(String from, EngineMessages.Reader r) throws IOException {
        long id = r.num();
        String sid = r.str();
        String transport = r.str();
        boolean read = r.bool();
        // a GET's tag; absent from servers of earlier versions
        String tag = r.more() ? r.str() : "";
        if (tag.isEmpty()) {
            tag = null;
        }
        SessionLease lease = lease(sid);
        TransportKind kind = Transports.named(transport);
        int outcome;
        if (lease == null) {
            outcome = EngineMessages.NOT_HERE;
        } else {
            outcome = kind != null && lease.lendable(kind, read, tag) ? EngineMessages.LOCK_GRANTED : EngineMessages.LOCK_REFUSED;
        }
        peers.send(from, message(EngineMessages.Type.ACQUIRE_LOCK_RESPONSE).num(id).num(outcome).buffer());
        if (LOG.isDebugEnabled() && outcome != EngineMessages.NOT_HERE) {
            LOG.debugf("session %s: %s %s from %s (tag %s) %s", sid, transport, read ? "read" : "write", from, tag,
                    outcome == EngineMessages.LOCK_GRANTED ? "granted" : "refused");
        }
        if (outcome == EngineMessages.LOCK_GRANTED) {
            if (!kind.requestBased()) {
                lease.upgradeElsewhereStarted(from, kind);
            } else if (read) {
                lease.readElsewhere(new Drain(from, sid), tag);
            }
        }
    }

    /** PACKET: what a client sent through another server. */
    void onPacket(EngineMessages.Reader r) throws IOException {
        String sid = r.str();
        boolean payload = r.bool();
        String text = r.str();
        EngineSession<?> session = server.session(sid);
        if (session == null) {
            String owner = movedTo.get(sid);
            if (owner != null) {
                peers.send(owner, message(EngineMessages.Type.PACKET).str(sid).bool(payload).str(text).buffer());
            }
            return;
        }
        try {
            if (payload) {
                for (EnginePacket p : EngineCodec.decodePayload(text)) {
                    session.lease().receive(p);
                }
            } else {
                session.lease().receive(EngineCodec.decode(text));
            }
        } catch (MalformedPacketException e) {
            session.fail(e.getMessage());
        }
    }

    /** UPGRADE: how an upgrade that {@code from} probed ended. */
    void onUpgrade(String from, EngineMessages.Reader r) throws IOException {
        long id = r.num();
        String sid = r.str();
        boolean success = r.bool();
        EngineSession<?> session = server.session(sid);
        if (session == null) {
            return;
        }
        List<EnginePacket> takeOver = session.lease().upgradeElsewhereDone(from, success, new Drain(from, sid));
        if (takeOver != null) {
            movedTo.put(sid, from);
            server.vertx().setTimer(2 * responseTimeoutMs, t -> movedTo.remove(sid, from));
        }
        if (id >= 0 && success) {
            // a session taken over keeps who its handshake said its client is (added field: older servers stop reading
            // before it)
            peers.send(from, message(EngineMessages.Type.UPGRADE_RESPONSE).num(id).bool(takeOver != null)
                    .packets(takeOver == null ? List.of() : takeOver)
                    .identity(takeOver == null ? null : session.request().identity()).buffer());
        }
        if (success && takeOver == null) {
            // after the answer on the same link: what the session wrote meanwhile follows it
            session.lease().flushAfterUpgrade();
        }
    }

    /** CLOSE: a connection {@code from} held for one of this server's sessions ended, or a request it forwarded failed. */
    void onClose(String from, EngineMessages.Reader r) throws IOException {
        String sid = r.str();
        String reason = r.str();
        SessionLease lease = lease(sid);
        if (lease != null) {
            lease.endedElsewhere(from, reason);
        }
    }

    /** A server left the cluster: sessions here whose connection it held end. */
    void onMemberLeft(String member) {
        for (EngineSession<?> session : server.sessions()) {
            session.lease().holderGone(member);
        }
    }
}
