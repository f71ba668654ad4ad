package dev.qsio.runtime.postgres;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.RecentBroadcasts;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Connection state recovery on PostgreSQL (Node's adapter has none there). A session is a row of
 * {@code <prefix>_sessions} (JSON {@code {sid, pid, owner, rooms, data}}, owner being the server that wrote it last;
 * expiring after the recovery window; written when the socket connects, changes rooms and disconnects, and refreshed
 * while it is connected, so that the state survives a killed worker). The broadcast log is {@code <prefix>_log}: each
 * logged broadcast (its Node message, msgpack-encoded) with its offset, written by {@link PostgresAdapterLink} in the
 * transaction that notifies it, one writer at a time, so that the log's order is the order in which every server
 * delivered the broadcasts. Rows older than the window are deleted every {@code cleanup-interval}.
 */
final class PostgresSessionStore implements SessionStore {

    private static final Logger LOG = Logger.getLogger(PostgresSessionStore.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** The most broadcasts of a namespace kept in memory for restores (older ones are read from the log). */
    static final int RECENT_MAX = 50_000;

    private final ProtocolJson protocol;
    private final ObjectMapper json;
    private final ClusterAdapterMessages messages;
    private final Pool pool;
    private final PostgresChannels.RecoveryTables tables;
    private final AtomicLong offsets = new AtomicLong();
    private final String offsetPrefix;
    private final RecentBroadcasts recent;
    /** This server, written with each session it stores: it forgets only a session it stored last. */
    private final String member;
    /** The last statement asked for each session ({@code <nsp>#<pid>}) still running: the next one waits for it. */
    private final Map<String, Future<?>> writing = new ConcurrentHashMap<>();

    PostgresSessionStore(ProtocolJson protocol, Pool pool, String member, PostgresChannels.RecoveryTables tables) {
        this.protocol = protocol;
        this.json = protocol.mapper();
        this.messages = new ClusterAdapterMessages(protocol, member);
        this.pool = pool;
        this.tables = tables;
        this.offsetPrefix = member.replaceAll("[^A-Za-z0-9]", "") + "-";
        this.member = member;
        this.recent = new RecentBroadcasts(protocol, tables.windowMs(), RECENT_MAX);
    }

    RecentBroadcasts recent() {
        return recent;
    }

    /** A log entry of a broadcast of {@code namespace}, its Node message msgpack-encoded. */
    PostgresChannels.LogEntry entry(String namespace, String offset, byte[] message) {
        return new PostgresChannels.LogEntry(namespace, offset, message);
    }

    @Override
    public String nextOffset() {
        return offsetPrefix + offsets.incrementAndGet();
    }

    @Override
    public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        // the link logs each broadcast in the transaction that notifies it
    }

    /**
     * A claim: the session as this server stores it, stamped with when it took the session (its restore's time on
     * the database's clock, or the claim's own for a new socket). It replaces a stored session stamped earlier or not
     * at all, never a later one: a claim of this server that reaches the database late (queued behind its earlier
     * writes of the session, or held by a pause of this process) must not take back a session that another server
     * restored since; this server would then delete it when closing the old connection.
     */
    @Override
    public void claim(String namespace, Session session) {
        RestoredAt restored = restoredAt.remove(namespace + "#" + session.pid());
        Long stamp = restored == null ? null : restored.stamp();
        String sql = "INSERT INTO " + tables.sessions() + " AS s (nsp, pid, session, expires_at) VALUES ($1, $2, "
                + "jsonb_set($3::text::jsonb, '{claimed}', to_jsonb(coalesce($5::bigint, " + NOW_MICROS + ")))::text, "
                + "now() + make_interval(secs => $4)) ON CONFLICT (nsp, pid) DO UPDATE SET session = EXCLUDED.session, "
                + "expires_at = EXCLUDED.expires_at WHERE (s.session::jsonb ->> 'claimed') IS NULL "
                + "OR (s.session::jsonb ->> 'claimed')::bigint <= (EXCLUDED.session::jsonb ->> 'claimed')::bigint";
        Tuple args = Tuple.of(namespace, session.pid(), encode(session), tables.windowMs() / 1000.0, stamp);
        inOrder(namespace, session.pid(), () -> pool.preparedQuery(sql).execute(args))
                .onFailure(e -> LOG.debugf("cannot claim session %s: %s", session.pid(), e.getMessage()));
    }

    /** The database's clock in microseconds, which orders the claims of every server. */
    private static final String NOW_MICROS = "(extract(epoch from clock_timestamp()) * 1000000)::bigint";
    /**
     * When this server restored a session it is about to claim, by namespace and private id: the database's clock, and
     * this server's (to forget a restore never claimed: its connection closed before the socket connected, or the
     * offset was no longer in the log).
     */
    private final Map<String, RestoredAt> restoredAt = new ConcurrentHashMap<>();

    private record RestoredAt(long stamp, long atNanos) {
    }

    /** How long a restore waits for its claim; a socket connects within milliseconds of its restore. */
    static final long CLAIM_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    @Override
    public void save(String namespace, Session session) {
        write(namespace, session, OWN);
    }

    @Override
    public void disconnected(String namespace, Session session) {
        write(namespace, session, OWN);
    }

    /** The condition of a write that leaves a session claimed by another server alone ($5: this server). */
    private static final String OWN = " WHERE (s.session::jsonb ->> 'owner') IS NULL OR (s.session::jsonb ->> 'owner') = $5";

    private String encode(Session session) {
        ObjectNode s = json.createObjectNode().put("sid", session.sid()).put("pid", session.pid()).put("owner", member);
        ArrayNode rooms = s.putArray("rooms");
        session.rooms().forEach(rooms::add);
        s.set("data", json.valueToTree(session.data()));
        return s.toString();
    }

    /** A write of this server's state of the session: it keeps the stored claim's stamp. */
    private void write(String namespace, Session session, String condition) {
        Tuple args = Tuple.of(namespace, session.pid(), encode(session), tables.windowMs() / 1000.0);
        if (!condition.isEmpty()) {
            args.addString(member);
        }
        String sql = "INSERT INTO " + tables.sessions() + " AS s (nsp, pid, session, expires_at) VALUES ($1, $2, $3, "
                + "now() + make_interval(secs => $4)) ON CONFLICT (nsp, pid) DO UPDATE SET session = jsonb_set("
                + "EXCLUDED.session::jsonb, '{claimed}', coalesce(s.session::jsonb -> 'claimed', 'null'::jsonb))::text, "
                + "expires_at = EXCLUDED.expires_at" + condition;
        inOrder(namespace, session.pid(), () -> pool.preparedQuery(sql).execute(args))
                .onFailure(e -> LOG.debugf("cannot save session %s: %s", session.pid(), e.getMessage()));
    }

    /**
     * Deletes the session if this server stored it last. When the socket was restored on another server meanwhile
     * (its client came back there while this server still held its old connection), that server stored it since, and
     * closing the old connection here must not take it away from the client's next reconnection.
     */
    @Override
    public void forget(String namespace, String pid) {
        inOrder(namespace, pid, () -> pool.preparedQuery("DELETE FROM " + tables.sessions()
                + " WHERE nsp = $1 AND pid = $2 AND (session::jsonb ->> 'owner') = $3")
                .execute(Tuple.of(namespace, pid, member)))
                .onFailure(e -> LOG.debugf("cannot forget session %s: %s", pid, e.getMessage()));
    }

    /** Completes once the writes asked for so far have completed (or failed). */
    Future<Void> written() {
        return Future.join(new ArrayList<>(writing.values())).mapEmpty();
    }

    /**
     * Runs the statements of one session one after the other, in the order they were asked for. The pool runs
     * statements on several connections at once, so that a socket's claim at connection and the save of a room it
     * joins right after could otherwise commit in the other order, leaving the room out of the stored state.
     */
    private <T> Future<T> inOrder(String namespace, String pid, Supplier<Future<T>> statement) {
        String key = namespace + "#" + pid;
        Promise<T> done = Promise.promise();
        Future<?> before = writing.put(key, done.future());
        Future<?> previous = before == null ? Future.succeededFuture() : before;
        previous.eventually(() -> statement.get().onComplete(done));
        done.future().onComplete(r -> writing.remove(key, done.future()));
        return done.future();
    }

    @Override
    public Uni<Restored> restore(String namespace, String pid, String offset) {
        Future<Restored> f = pool.preparedQuery("DELETE FROM " + tables.sessions()
                + " WHERE nsp = $1 AND pid = $2 RETURNING session, expires_at > now(), " + NOW_MICROS)
                .execute(Tuple.of(namespace, pid))
                .compose(rows -> {
                    Session session = null;
                    for (Row row : rows) {
                        if (Boolean.TRUE.equals(row.getBoolean(1))) {
                            session = decode(pid, row.getString(0));
                            // the claim that follows is stamped with this moment
                            long now = System.nanoTime();
                            restoredAt.values().removeIf(r -> now - r.atNanos() > CLAIM_WAIT_NANOS);
                            restoredAt.put(namespace + "#" + pid, new RestoredAt(row.getLong(2), now));
                        }
                    }
                    if (session == null) {
                        LOG.debugf("no session %s in %s to recover (expired, recovered already, or never saved)", pid,
                                namespace);
                        return Future.succeededFuture(null);
                    }
                    Session found = session;
                    return missed(namespace, session.rooms(), offset).map(missed -> {
                        if (missed == null) {
                            // the client gets a new socket, with a private id of its own
                            restoredAt.remove(namespace + "#" + pid);
                            LOG.debugf("session %s in %s not recovered: offset %s is no longer in the log", pid,
                                    namespace, offset);
                            return null;
                        }
                        return new Restored(found, missed);
                    });
                });
        return Uni.createFrom().completionStage(f.toCompletionStage());
    }

    private Session decode(String pid, String raw) {
        try {
            JsonNode s = json.readTree(raw);
            Set<String> rooms = new LinkedHashSet<>();
            s.path("rooms").forEach(n -> rooms.add(n.asText()));
            Map<String, Object> data = s.path("data").isObject() ? json.convertValue(s.path("data"), MAP) : new HashMap<>();
            return new Session(s.path("sid").asText(), pid, rooms, data);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
        return Uni.createFrom().completionStage(missed(namespace, rooms, offset)
                .map(missed -> missed == null ? List.<Logged> of() : missed).toCompletionStage());
    }

    /**
     * The logged broadcasts after {@code offset} that reached a socket of these rooms, from this server's recent copy
     * or else from the log; null when the offset is not in the log.
     */
    private Future<List<Logged>> missed(String namespace, Set<String> rooms, String offset) {
        List<Logged> kept = recent.after(namespace, rooms, offset);
        if (kept != null) {
            return Future.succeededFuture(kept);
        }
        return pool.preparedQuery("SELECT id FROM " + tables.log() + " WHERE nsp = $1 AND offset_key = $2")
                .execute(Tuple.of(namespace, offset)).compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(null);
                    }
                    long id = rows.iterator().next().getLong(0);
                    return pool.preparedQuery("SELECT message FROM " + tables.log() + " WHERE nsp = $1 AND id > $2 "
                            + "ORDER BY id").execute(Tuple.of(namespace, id)).map(logged -> {
                                List<Logged> missed = new ArrayList<>();
                                for (Row row : logged) {
                                    Logged l = logged(namespace, rooms, row.getBuffer(0));
                                    if (l != null) {
                                        missed.add(l);
                                    }
                                }
                                return missed;
                            });
                });
    }

    /** A logged broadcast that reached a socket of these rooms, encoded for the client with its offset; else null. */
    private Logged logged(String namespace, Set<String> rooms, Buffer message) {
        try {
            AdapterMessage m = messages.decode(messages.wire().msgpack.readTree(message.getBytes()), null);
            if (!(m instanceof AdapterMessage.Broadcast b) || !b.withOffset()
                    || !SessionStore.reached(rooms, b.selection().rooms(), b.selection().except())) {
                return null;
            }
            ArrayNode data = b.payload().data(protocol);
            return new Logged(data.get(data.size() - 1).asText(), b.payload().encoded(protocol, namespace));
        } catch (IOException | ProtocolException | RuntimeException e) {
            LOG.debugf("skipping an unreadable log entry of %s: %s", namespace, e.getMessage());
            return null;
        }
    }
}
