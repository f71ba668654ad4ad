package dev.qsio.runtime.remote;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.msgpack.core.MessagePackException;

import dev.qsio.runtime.engine.EngineServer;
import dev.qsio.runtime.engine.OtherServers;
import io.vertx.core.buffer.Buffer;

/**
 * The cross-server engine of one server: for each engine server (one per path), its view of the other servers
 * ({@link RemoteSessions}), and the messages of the other servers' engines, delivered to the engine server of their
 * path. Made by the cluster layer when this server is part of a cluster; the engine sees it only as
 * {@link OtherServers}.
 */
public final class RemoteEngines implements OtherServers.Factory, EnginePeers.Receiver {

    private static final Logger LOG = Logger.getLogger(RemoteEngines.class);

    private final EnginePeers peers;
    private final long responseTimeoutMs;
    private final long delayedConnectionTimeoutMs;
    private final Map<String, RemoteSessions> byPath = new ConcurrentHashMap<>();

    /**
     * @param responseTimeoutMs how long a request waits for the other servers' answers
     * @param delayedConnectionTimeoutMs how long a new polling session waits before the application gets it, where an
     *        upgrade may land on another host (see {@link OtherServers#delayedConnectionMs()})
     */
    public RemoteEngines(EnginePeers peers, long responseTimeoutMs, long delayedConnectionTimeoutMs) {
        this.peers = peers;
        this.responseTimeoutMs = responseTimeoutMs;
        this.delayedConnectionTimeoutMs = delayedConnectionTimeoutMs;
        peers.receive(this);
    }

    @Override
    public OtherServers of(EngineServer<?> server) {
        // not at all while every request reaches the owner's process (connections are handed over between the workers
        // of a host, and no other host is known); the wait remains where an upgrade may come through another host
        long delayed = peers.requestsReachOwners() ? 0 : delayedConnectionTimeoutMs;
        RemoteSessions remote = new RemoteSessions(server, peers, responseTimeoutMs, delayed);
        byPath.put(server.path(), remote);
        return remote;
    }

    @Override
    public void onMessage(String from, Buffer message) {
        EngineMessages.Reader r;
        try {
            r = new EngineMessages.Reader(message);
        } catch (IOException e) {
            LOG.debugf("bad engine message from %s: %s", from, e.getMessage());
            return;
        }
        RemoteSessions remote = byPath.get(r.path);
        if (remote != null) {
            remote.onMessage(from, r);
        } else {
            answerWithoutServer(from, r);
        }
    }

    /** Answers a lookup for a path that has no server here yet: it cannot own the session. */
    private void answerWithoutServer(String from, EngineMessages.Reader r) {
        try {
            if (r.type == EngineMessages.Type.ACQUIRE_LOCK) {
                long id = r.num();
                peers.send(from, new EngineMessages.Writer(EngineMessages.Type.ACQUIRE_LOCK_RESPONSE, r.path).num(id)
                        .num(EngineMessages.NOT_HERE).buffer());
            }
        } catch (IOException | MessagePackException e) {
            LOG.debugf("bad engine message from %s: %s", from, e.getMessage());
        }
    }

    @Override
    public void onMemberLeft(String member) {
        byPath.values().forEach(r -> r.onMemberLeft(member));
    }
}
