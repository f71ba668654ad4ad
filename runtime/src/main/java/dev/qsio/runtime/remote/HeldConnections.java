package dev.qsio.runtime.remote;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.qsio.runtime.engine.Eio3Codec;
import dev.qsio.runtime.engine.EngineError;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.engine.EngineOptions;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.EnginePacketType;
import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.engine.MalformedPacketException;
import dev.qsio.runtime.engine.PollingTransport;
import dev.qsio.runtime.engine.UpgradeStream;
import dev.qsio.runtime.engine.WebSocketMessages;
import dev.qsio.runtime.engine.WebSocketChannels;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/**
 * The client connections this server holds for sessions that other servers own: GETs parked here, answered by the
 * owner's DRAIN, and WebSockets and WebTransport streams relayed both ways. The owner learns of their end with a CLOSE.
 */
final class HeldConnections {

    private static final Logger LOG = Logger.getLogger(HeldConnections.class);

    private final EngineServer<?> server;
    private final EnginePeers peers;
    /** Parked GETs whose session lives elsewhere, by sid: answered by the owner's next DRAIN. */
    private final Map<String, Poll> polls = new ConcurrentHashMap<>();
    /** WebSockets accepted here for sessions owned elsewhere, by sid. */
    private final Map<String, Relayed> relayed = new ConcurrentHashMap<>();

    private record Poll(HttpServerRequest request, String owner) {
    }

    /** A client's connection relayed here to its session's owner. */
    private abstract static class Relayed {
        final String owner;

        Relayed(String owner) {
            this.owner = owner;
        }

        abstract void write(List<EnginePacket> packets);

        /** How many bytes are queued for the client. */
        abstract long backlog();

        abstract void close();

        /** Ends the connection at once, dropping what is queued (a client that does not read). */
        abstract void abort();
    }

    private static final class RelayedWebSocket extends Relayed {
        final ServerWebSocket ws;
        /** The client speaks protocol revision 3: its binary frames start with the type byte. */
        final boolean eio3;
        /** The connection, to bound what is queued for the client; null where Vert.x does not expose it. */
        final Channel channel;

        RelayedWebSocket(ServerWebSocket ws, String owner, boolean eio3) {
            super(owner);
            this.ws = ws;
            this.eio3 = eio3;
            this.channel = WebSocketChannels.channelOf(ws);
        }

        @Override
        void write(List<EnginePacket> packets) {
            for (EnginePacket p : packets) {
                ws.writeFrame(WebSocketChannels.frame(p, p.frame(eio3)));
            }
        }

        @Override
        long backlog() {
            return WebSocketChannels.backlog(channel);
        }

        @Override
        void close() {
            ws.close();
        }

        @Override
        void abort() {
            WebSocketChannels.abort(channel);
        }
    }

    /** A WebTransport stream (its QUIC connection reached this server, and cannot move). */
    private static final class RelayedStream extends Relayed {
        final UpgradeStream stream;

        RelayedStream(UpgradeStream stream, String owner) {
            super(owner);
            this.stream = stream;
        }

        @Override
        void write(List<EnginePacket> packets) {
            stream.write(packets);
        }

        @Override
        long backlog() {
            return stream.backlog();
        }

        @Override
        void close() {
            stream.close();
        }

        @Override
        void abort() {
            stream.close();
        }
    }

    HeldConnections(EngineServer<?> server, EnginePeers peers) {
        this.server = server;
        this.peers = peers;
    }

    private EngineMessages.Writer message(EngineMessages.Type type) {
        return new EngineMessages.Writer(type, server.path());
    }

    /** Parks a GET of a session that {@code owner} owns, until its DRAIN. */
    void park(HttpServerRequest request, String sid, String owner) {
        Poll poll = new Poll(request, owner);
        if (polls.putIfAbsent(sid, poll) != null) {
            server.refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        request.response().closeHandler(v -> {
            if (polls.remove(sid, poll)) {
                peers.send(owner, message(EngineMessages.Type.CLOSE).str(sid).str(EngineSession.POLL_CLOSED).buffer());
            }
        });
        server.stats().increment(EngineFigure.FORWARDED_REQUESTS);
    }

    /**
     * Relays a WebSocket whose session stays with its owner. Its client may have closed it while the owner answered
     * (Vert.x then refuses handlers on it): the owner is told, as it would be of a close a moment later.
     */
    void relay(ServerWebSocket ws, String sid, String owner, boolean eio3) {
        RelayedWebSocket f = new RelayedWebSocket(ws, owner, eio3);
        relayed.put(sid, f);
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

    /** Relays a WebTransport stream whose session stays with its owner. */
    void relay(UpgradeStream stream, String sid, String owner) {
        RelayedStream f = new RelayedStream(stream, owner);
        relayed.put(sid, f);
        stream.relay(packet -> peers.send(owner, message(EngineMessages.Type.PACKET).str(sid).bool(false)
                .str(packet.segment()).buffer()), reason -> relayEnded(sid, f, reason));
    }

    private void relayEnded(String sid, Relayed f) {
        relayEnded(sid, f, "transport close");
    }

    private void relayEnded(String sid, Relayed f, String reason) {
        if (relayed.remove(sid, f)) {
            peers.send(f.owner, message(EngineMessages.Type.CLOSE).str(sid).str(reason).buffer());
        }
    }

    /** Whether a WebSocket of session {@code sid} is relayed here to its owner. */
    boolean relays(String sid) {
        return relayed.containsKey(sid);
    }

    private void readRelayed(ServerWebSocket ws, String sid, RelayedWebSocket f) {
        String owner = f.owner;
        boolean eio3 = f.eio3;
        WebSocketMessages.read(ws, server.options().maxHttpBufferSize(),
                text -> peers.send(owner, message(EngineMessages.Type.PACKET).str(sid).bool(false).str(text).buffer()),
                data -> {
                    EnginePacket packet;
                    try {
                        packet = eio3 ? Eio3Codec.decodeFrame(data) : EnginePacket.message(data);
                    } catch (MalformedPacketException e) {
                        if (relayed.remove(sid, f)) {
                            ws.close();
                            peers.send(owner, message(EngineMessages.Type.CLOSE).str(sid).str("parse error").buffer());
                        }
                        return;
                    }
                    peers.send(owner, message(EngineMessages.Type.PACKET).str(sid).bool(false).str(packet.segment()).buffer());
                },
                // the close that follows tells the owner
                code -> {
                });
    }

    /** DRAIN: the owner's packets for a client whose connection is held here. */
    void onDrain(EngineMessages.Reader r) throws IOException {
        String sid = r.str();
        List<EnginePacket> packets = r.packets();
        boolean close = r.bool();
        Poll poll = polls.remove(sid);
        if (LOG.isDebugEnabled()) {
            LOG.debugf("session %s: %d packets for %s", sid, packets.size(), poll == null ? "no parked GET"
                    : poll.request.response().closed() ? "a GET whose connection closed" : "the parked GET");
        }
        if (poll != null) {
            HttpServerResponse response = poll.request.response();
            if (!response.ended() && !response.closed()) {
                List<EnginePacket> out = packets;
                if (close && packets.stream().noneMatch(p -> p.type() == EnginePacketType.CLOSE)) {
                    out = new ArrayList<>(packets);
                    out.add(EnginePacket.CLOSE);
                }
                PollingTransport.respond(server, poll.request, out.isEmpty() ? List.of(EnginePacket.NOOP) : out);
            }
            return;
        }
        Relayed f = relayed.get(sid);
        if (f != null) {
            if (overflows(f, packets)) {
                // the owner's bound covers what it holds; what waits here for a client that does not read is
                // bounded here, by the same setting, and ends the session the same way
                server.stats().increment(EngineFigure.BUFFER_OVERFLOWS);
                if (relayed.remove(sid, f)) {
                    f.abort();
                    peers.send(f.owner, message(EngineMessages.Type.CLOSE).str(sid).str(EngineSession.BUFFER_FULL).buffer());
                }
                return;
            }
            f.write(packets);
            if (close && relayed.remove(sid, f)) {
                f.close();
            }
        }
    }

    /** Whether writing these packets would take what is queued for a relayed WebSocket's client past the bound. */
    private boolean overflows(Relayed f, List<EnginePacket> packets) {
        long size = 0;
        for (EnginePacket p : packets) {
            size += p.size();
        }
        return EngineOptions.pastBound(f.backlog(), size, server.options().maxBufferedBytes());
    }

    /**
     * A server left the cluster (it died or stopped): the requests and WebSockets held for it end, so that their
     * clients reconnect at once instead of waiting for a heartbeat timeout.
     */
    void onMemberLeft(String member) {
        polls.forEach((sid, poll) -> {
            if (poll.owner.equals(member) && polls.remove(sid, poll)) {
                PollingTransport.respond(server, poll.request, List.of(EnginePacket.CLOSE));
            }
        });
        relayed.forEach((sid, f) -> {
            if (f.owner.equals(member) && relayed.remove(sid, f)) {
                f.close();
            }
        });
    }

    /** Closes the connections held here (shutdown). */
    void closeAll() {
        polls.values().forEach(p -> p.request.response().setStatusCode(503).end());
        polls.clear();
        relayed.values().forEach(Relayed::close);
        relayed.clear();
    }
}
