package dev.qsio.runtime.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * Connection state recovery kept as Node's {@code @socket.io/redis-streams-adapter} keeps it, so that a client may
 * recover on a Quarkus server a session it had on a Node server, and the other way round: a session is
 * {@code <prefix><pid>} ({@code sio:session:} by default), base64 of the msgpack of {@code {sid, pid, rooms, data}},
 * expiring after the recovery window; the log is the adapter's stream, and an offset is an entry's id.
 * <p>
 * A Quarkus server also writes the session while its socket is connected (so that it survives a killed server), and
 * adds {@code owner}, itself, to the map (Node reads the fields it knows). A server that still holds an old connection
 * of a socket restored elsewhere since writes and forgets it only while the stored session is its own (Lua scripts read
 * the owner), so that closing that connection does not take the session away from its client's next reconnection.
 * Node never deletes a session; a session Node wrote has no owner, and is never deleted here either.
 */
final class StreamsSessionStore implements SessionStore {

    private static final Logger LOG = Logger.getLogger(StreamsSessionStore.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final Pattern STREAM_ID = Pattern.compile("[0-9]+-[0-9]+");
    /** How many entries one read takes while collecting what a session missed. */
    private static final int PAGE = 1000;

    private final ProtocolJson protocol;
    private final RedisChannels redis;
    private final NodeMessages wire;
    private final StreamEntries entries;
    private final String stream;
    private final String sessionKeyPrefix;
    private final long windowMs;
    private final AtomicLong placeholders = new AtomicLong();
    /** This server, written with each session it stores. */
    private final String member;

    /**
     * The owner of a stored session (KEYS[1]): the {@code owner} of the msgpack map its base64 value holds, or nil
     * (none, or a value that does not read).
     */
    private static final String OWNER_OF = "local function ownerOf(v) "
            + "local digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/' "
            + "local out, acc, bits = {}, 0, 0 "
            + "for i = 1, #v do "
            + "  local d = string.find(digits, string.sub(v, i, i), 1, true) "
            + "  if d then "
            + "    acc = acc * 64 + d - 1 bits = bits + 6 "
            + "    if bits >= 8 then bits = bits - 8 local byte = math.floor(acc / 2 ^ bits) "
            + "      out[#out + 1] = string.char(byte) acc = acc - byte * 2 ^ bits end "
            + "  end "
            + "end "
            + "local ok, m = pcall(cmsgpack.unpack, table.concat(out)) "
            + "if ok and type(m) == 'table' then return m.owner end "
            + "return nil end ";

    /** Stores KEYS[1] = ARGV[1] (expiring in ARGV[3] ms) unless another server than ARGV[2] owns what is stored. */
    private static final String SAVE_OWN = OWNER_OF + "local v = redis.call('GET', KEYS[1]) "
            + "if v then local o = ownerOf(v) if o and o ~= ARGV[2] then return 0 end end "
            + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) return 1";

    /** Deletes KEYS[1] only if the server ARGV[1] owns it. */
    private static final String FORGET_OWN = OWNER_OF + "local v = redis.call('GET', KEYS[1]) "
            + "if v and ownerOf(v) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
    /** Completes once this server's reader of the stream has applied the entry of an offset (or gave up waiting). */
    private final Function<String, Future<Void>> readerPast;
    /** The recent broadcasts this server's reader read, which restorations read first. */
    private final StreamTail tail;

    StreamsSessionStore(ProtocolJson protocol, RedisChannels redis, String member, String stream,
            String sessionKeyPrefix, long windowMs, long maxLogBytes, Function<String, Future<Void>> readerPast) {
        this.member = member;
        this.tail = new StreamTail(windowMs, maxLogBytes);
        this.readerPast = readerPast;
        this.protocol = protocol;
        this.redis = redis;
        this.wire = new NodeMessages(protocol.mapper());
        this.entries = new StreamEntries(wire);
        this.stream = stream;
        this.sessionKeyPrefix = sessionKeyPrefix;
        this.windowMs = windowMs;
    }

    /**
     * A stand-in: the offset of a broadcast is the id Redis gives its stream entry, known once it is added; the adapter
     * leaves this one out and every server (this one included) delivers the broadcast with the entry's id.
     */
    @Override
    public String nextOffset() {
        return "pending-" + placeholders.incrementAndGet();
    }

    @Override
    public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        // the adapter adds each broadcast to the stream
    }

    private String sessionKey(String pid) {
        return sessionKeyPrefix + pid;
    }

    @Override
    public void claim(String namespace, Session session) {
        String encoded = encode(session);
        if (encoded != null) {
            redis.command(Request.cmd(Command.SET).arg(sessionKey(session.pid())).arg(encoded).arg("PX").arg(windowMs))
                    .onFailure(e -> LOG.debugf("cannot save session %s: %s", session.pid(), e.getMessage()));
        }
    }

    @Override
    public void save(String namespace, Session session) {
        write(session);
    }

    @Override
    public void disconnected(String namespace, Session session) {
        write(session);
    }

    /** Stores the session unless another server owns what is stored (one script: no write comes in between). */
    private void write(Session session) {
        String encoded = encode(session);
        if (encoded != null) {
            redis.command(Request.cmd(Command.EVAL).arg(SAVE_OWN).arg(1).arg(sessionKey(session.pid())).arg(encoded)
                    .arg(member).arg(windowMs))
                    .onFailure(e -> LOG.debugf("cannot save session %s: %s", session.pid(), e.getMessage()));
        }
    }

    private String encode(Session session) {
        ObjectNode s = wire.json.createObjectNode().put("sid", session.sid()).put("pid", session.pid());
        ArrayNode rooms = s.putArray("rooms");
        session.rooms().forEach(rooms::add);
        s.set("data", wire.json.valueToTree(session.data()));
        s.put("owner", member);
        try {
            return Base64.getEncoder().encodeToString(wire.msgpack.writeValueAsBytes(s));
        } catch (IOException e) {
            LOG.debugf("cannot encode session %s: %s", session.pid(), e.getMessage());
            return null;
        }
    }

    /**
     * Deletes the session if this server stored it last: when the socket was restored on another server meanwhile,
     * closing its old connection here must leave the session to the client's next reconnection.
     */
    @Override
    public void forget(String namespace, String pid) {
        redis.command(Request.cmd(Command.EVAL).arg(FORGET_OWN).arg(1).arg(sessionKey(pid)).arg(member))
                .onFailure(e -> LOG.debugf("cannot forget session %s: %s", pid, e.getMessage()));
    }

    @Override
    public Uni<Restored> restore(String namespace, String pid, String offset) {
        if (!STREAM_ID.matcher(offset).matches()) {
            // not an offset of this log (a client of a server with another store)
            return Uni.createFrom().nullItem();
        }
        Future<Restored> f = redis.command(Request.cmd(Command.GETDEL).arg(sessionKey(pid))).compose(raw -> {
            if (raw == null) {
                LOG.debugf("no session %s to recover (expired, recovered already, or never saved)", pid);
                return Future.succeededFuture(null);
            }
            Session session = decode(pid, raw.toString());
            if (session == null) {
                return Future.succeededFuture(null);
            }
            // restored once this server has applied what the client saw: an entry up to its offset applied after the
            // socket joined its rooms would reach it twice
            return readerPast.apply(offset).compose(v -> {
                List<Logged> kept = tail.after(namespace, session.rooms(), offset);
                if (kept != null) {
                    return Future.succeededFuture(new Restored(session, kept));
                }
                return redis.command(Request.cmd(Command.XRANGE).arg(stream).arg(offset).arg(offset)).compose(found -> {
                    if (found == null || found.size() == 0) {
                        LOG.debugf("session %s not recovered: offset %s is no longer in the stream", pid, offset);
                        return Future.succeededFuture(null);
                    }
                    Promise<List<Logged>> missed = Promise.promise();
                    collect(namespace, session.rooms(), offset, new ArrayList<>(), missed);
                    return missed.future().map(list -> new Restored(session, list));
                });
            });
        });
        return Uni.createFrom().completionStage(f.toCompletionStage());
    }

    private Session decode(String pid, String raw) {
        try {
            JsonNode s = wire.msgpack.readTree(Base64.getDecoder().decode(raw));
            Set<String> rooms = new LinkedHashSet<>();
            s.path("rooms").forEach(n -> rooms.add(n.asText()));
            Map<String, Object> data = s.path("data").isObject() ? wire.json.convertValue(s.path("data"), MAP)
                    : new HashMap<>();
            return new Session(s.path("sid").asText(), pid, rooms, data);
        } catch (IOException | IllegalArgumentException e) {
            LOG.debugf("session %s cannot be read: %s", pid, e.getMessage());
            return null;
        }
    }

    @Override
    public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
        if (!STREAM_ID.matcher(offset).matches()) {
            return Uni.createFrom().item(List.of());
        }
        List<Logged> kept = tail.after(namespace, rooms, offset);
        if (kept != null) {
            return Uni.createFrom().item(kept);
        }
        Promise<List<Logged>> missed = Promise.promise();
        collect(namespace, rooms, offset, new ArrayList<>(), missed);
        return Uni.createFrom().completionStage(missed.future().toCompletionStage());
    }

    /** Reads the stream after {@code offset} a page at a time, keeping the broadcasts that reached these rooms. */
    private void collect(String namespace, Set<String> socketRooms, String offset, List<Logged> missed,
            Promise<List<Logged>> done) {
        redis.command(Request.cmd(Command.XRANGE).arg(stream).arg("(" + offset).arg("+").arg("COUNT").arg(PAGE))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        done.complete(missed);
                        return;
                    }
                    List<StreamEntries.Entry> page = entries.entries(ar.result());
                    String last = null;
                    for (StreamEntries.Entry e : page) {
                        last = e.id();
                        Logged logged = logged(namespace, socketRooms, e);
                        if (logged != null) {
                            missed.add(logged);
                        }
                    }
                    if (ar.result() == null || ar.result().size() < PAGE || last == null) {
                        done.complete(missed);
                    } else {
                        collect(namespace, socketRooms, last, missed, done);
                    }
                });
    }

    /** A broadcast of the namespace without acknowledgements that reached these rooms, with its offset; else null. */
    private Logged logged(String namespace, Set<String> socketRooms, StreamEntries.Entry e) {
        StreamTail.Broadcast b = broadcast(e);
        return b == null || !b.namespace().equals(namespace) || !SessionStore.reached(socketRooms, b.rooms(), b.except())
                ? null
                : new Logged(b.id(), b.packet());
    }

    /**
     * The broadcast an entry holds if recovery logs it (an event without acknowledgement, not volatile), its packet
     * with the entry's id as last argument; else null.
     */
    private StreamTail.Broadcast broadcast(StreamEntries.Entry e) {
        JsonNode m = e.message();
        JsonNode data = m.path("data");
        if (m.path("type").asInt() != ClusterAdapterMessages.BROADCAST || data.hasNonNull("requestId")) {
            return null;
        }
        JsonNode opts = data.path("opts");
        JsonNode args = data.path("packet").path("data");
        if (opts.path("flags").path("volatile").asBoolean(false) || !args.isArray() || args.isEmpty()) {
            return null;
        }
        Object[] rest = new Object[args.size()];
        for (int i = 1; i < args.size(); i++) {
            rest[i - 1] = args.get(i);
        }
        rest[args.size() - 1] = e.id();
        String namespace = m.path("nsp").asText();
        return new StreamTail.Broadcast(e.id(), namespace, NodeMessages.strings(opts.path("rooms")),
                NodeMessages.strings(opts.path("except")),
                protocol.encoder().event(namespace, -1, args.get(0).asText(), rest));
    }

    /** This server's reader read an entry of the stream (in the stream's order). */
    void read(StreamEntries.Entry e) {
        tail.read(e.id(), broadcast(e));
    }

    /** This server's reader lost its place in the stream. */
    void readerRestarted() {
        tail.restart();
    }
}
