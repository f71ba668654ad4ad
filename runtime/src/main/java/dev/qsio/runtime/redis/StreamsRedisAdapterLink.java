package dev.qsio.runtime.redis;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import dev.qsio.runtime.clusteradapter.Others;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The cluster adapter's messages in the wire format of Node's {@code @socket.io/redis-streams-adapter} (0.3), so that
 * Node and Quarkus servers on one Redis form one fleet that keeps connection state recovery across both:
 * <ul>
 * <li>broadcasts and the sockets operations are entries of one stream ({@code <key>}, trimmed to about
 * {@code max-len} entries), read by every server in order with a blocking {@code XREAD}; a broadcast's offset is its
 * entry's id;</li>
 * <li>requests that expect answers (fetchSockets, serverSideEmit, broadcasts with acknowledgements) are msgpack on
 * the namespace's channel {@code <key>#<nsp>#}, answers on the requester's {@code <key>#<nsp>#<uid>#};</li>
 * <li>the server count is the number of subscribers of the main namespace's channel.</li>
 * </ul>
 * With connection state recovery on, this server's own broadcasts reach its clients when they come back from the
 * stream, with their offset, in the stream's order like everyone else's; the sessions are kept by
 * {@link StreamsSessionStore}.
 */
final class StreamsRedisAdapterLink extends RedisAdapterLinkBase {

    private static final Logger LOG = Logger.getLogger(StreamsRedisAdapterLink.class);
    /** How long one XREAD waits for new entries, and how many it takes at most (Node's defaults). */
    private static final int BLOCK_MS = 5000;
    private static final int READ_COUNT = 100;
    /**
     * The longest a restoration waits for the reader to reach the client's offset: a reader that reads takes
     * milliseconds (the entry is there to read), one that cannot read should not hold the client back.
     */
    static final long READ_PAST_MAX_MS = 2000;

    private final ClusterAdapterMessages messages;
    private final NodeMessages wire;
    private final StreamEntries entries;
    private final long maxLen;
    private final boolean recovery;
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private volatile int serverCount = 1;
    /** Where the reader is: new entries only at first, as Node's readers start. */
    private final StreamPosition position;
    private Redis reader;
    /** The session store that keeps the recent broadcasts the reader reads, with recovery on; else null. */
    private volatile StreamsSessionStore store;

    StreamsRedisAdapterLink(Vertx vertx, RedisBus bus, ProtocolJson protocol, String key, long maxLen, boolean recovery) {
        super(vertx, bus, key);
        this.maxLen = maxLen;
        this.recovery = recovery;
        this.messages = new ClusterAdapterMessages(protocol, uid);
        this.wire = messages.wire;
        this.entries = new StreamEntries(wire);
        this.position = new StreamPosition(vertx);
    }

    /** With recovery on: the store told of every entry the reader reads, before it is applied. */
    void keepFor(StreamsSessionStore store) {
        this.store = store;
    }

    @Override
    protected void started() {
        super.started();
        read();
    }

    /** Reads the stream for as long as the server runs, on a connection of its own (XREAD blocks it). */
    private void read() {
        if (reader == null) {
            reader = redis.newClient("socketio-bus-stream");
        }
        reader.connect().onComplete(ar -> {
            if (ar.failed()) {
                retry();
                return;
            }
            RedisConnection connection = ar.result();
            connection.exceptionHandler(e -> LOG.debugf("stream reader: %s", e.getMessage()));
            poll(connection);
        });
    }

    private void poll(RedisConnection connection) {
        connection.send(Request.cmd(Command.XREAD).arg("COUNT").arg(READ_COUNT).arg("BLOCK").arg(BLOCK_MS)
                .arg("STREAMS").arg(key).arg(position.lastId())).onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.debugf("reading the stream %s failed: %s", key, ar.cause().getMessage());
                        StreamsSessionStore s = store;
                        if (s != null) {
                            s.readerRestarted();
                        }
                        connection.close();
                        retry();
                        return;
                    }
                    onEntries(ar.result());
                    poll(connection);
                });
    }

    private void retry() {
        vertx.setTimer(500, t -> read());
    }

    private void onEntries(Response result) {
        if (result == null || result.size() == 0) {
            return;
        }
        // one stream asked for: {key: [entries...]} (RESP3) or [[key, [entries...]]] (RESP2)
        Response list = result.containsKey(key) ? result.get(key) : result.get(0).get(1);
        StreamsSessionStore s = store;
        for (StreamEntries.Entry e : entries.entries(list)) {
            if (s != null) {
                // kept before it is applied: a socket that joins its rooms after this entry was applied finds it there
                s.read(e);
            }
            try {
                apply(e);
            } finally {
                position.applied(e.id());
            }
        }
        position.batchApplied();
    }

    private void apply(StreamEntries.Entry e) {
        JsonNode m = e.message();
        String nsp = m.path("nsp").asText();
        if (!namespaces.contains(nsp)) {
            return;
        }
        boolean own = uid.equals(m.path("uid").asText());
        if (own && !(recovery && m.path("type").asInt() == ClusterAdapterMessages.BROADCAST)) {
            // applied here when it was sent; only logged broadcasts come back, with their offset
            return;
        }
        messages.dispatch(m, nsp, recovery ? e.id() : null, own, hub);
    }

    /**
     * Completes once this server's reader has applied the stream's entries up to {@code offset}, or after
     * {@link #READ_PAST_MAX_MS}: see {@link StreamPosition#reached}.
     */
    Future<Void> readPast(String offset) {
        return position.reached(offset, READ_PAST_MAX_MS);
    }

    private String channel(String nsp) {
        return key + "#" + nsp + "#";
    }

    private String responseChannel(String nsp, String requester) {
        return channel(nsp) + requester + "#";
    }

    @Override
    public void opened(String nsp) {
        namespaces.add(nsp);
        redis.subscribe(channel(nsp), (channel, payload) -> onMessage(nsp, payload));
        redis.subscribe(responseChannel(nsp, uid), (channel, payload) -> onMessage(nsp, payload));
    }

    @Override
    public void closed(String nsp) {
        namespaces.remove(nsp);
        redis.unsubscribe(channel(nsp));
        redis.unsubscribe(responseChannel(nsp, uid));
    }

    @Override
    public boolean deliversOwn(BroadcastOptions options) {
        return recovery && SessionStore.logged(options);
    }

    @Override
    protected void refreshServerCount() {
        if (redis.isUp()) {
            redis.subscribers(channel("/")).onSuccess(n -> serverCount = Math.max(1, n));
        }
    }

    @Override
    public Future<Others> others(String namespace) {
        if (!redis.isUp()) {
            return Future.succeededFuture(Others.counted(0));
        }
        return redis.subscribers(channel(namespace)).map(n -> Others.counted(Math.max(1, n) - 1))
                .otherwise(Others.counted(0));
    }

    @Override
    public Others othersNow() {
        return Others.counted((redis.isUp() ? serverCount : 1) - 1);
    }

    // ================================================================ outgoing

    /** Node's ephemeral messages (they expect answers) go by pub/sub; the others into the stream. */
    private static boolean ephemeral(AdapterMessage message) {
        return message instanceof AdapterMessage.FetchSockets || message instanceof AdapterMessage.ServerSideEmit
                || message instanceof AdapterMessage.Broadcast b && b.requestId() != null;
    }

    @Override
    public void publish(AdapterMessage message) {
        try {
            ObjectNode m = messages.encode(message, true);
            if (ephemeral(message)) {
                redis.publish(channel(m.path("nsp").asText()), wire.pack(m));
                return;
            }
            redis.command(entries.add(key, maxLen, m)).onFailure(e -> {
                if (redis.isUp()) {
                    LOG.warnf("A %s could not be added to the stream %s: %s", message.getClass().getSimpleName(), key,
                            e.getMessage());
                }
            });
        } catch (ProtocolException | IOException e) {
            LOG.errorf("Cannot relay a %s to Redis: %s", message.getClass().getSimpleName(), e.getMessage());
        }
    }

    @Override
    public void respond(String requester, AdapterMessage response) {
        ObjectNode m = messages.encodeResponse(response);
        if (m != null) {
            redis.publish(responseChannel(m.path("nsp").asText(), requester), wire.pack(m));
        }
    }

    // ================================================================ incoming

    private void onMessage(String nsp, Buffer payload) {
        JsonNode m = readOrIgnore(wire, LOG, nsp, payload);
        if (m == null) {
            return;
        }
        messages.dispatch(m, nsp, null, false, hub);
    }
}
