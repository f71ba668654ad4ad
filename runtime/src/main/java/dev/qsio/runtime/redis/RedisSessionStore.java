package dev.qsio.runtime.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.clusteradapter.RecentBroadcasts;
import dev.qsio.runtime.codec.BoundedMessagePack;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The session store of the {@code redis} bus. A session is the key {@code <key>-session#<nsp>#<pid>} (JSON, expiring
 * after the recovery window; written when the socket connects, changes rooms and disconnects, and refreshed while it
 * is connected, so that the state survives a killed worker). The broadcast log is the stream
 * {@code <key>-log#<nsp>}, written by {@link RedisAdapterLink} in the same script that publishes the broadcast, so that
 * the log's order is the order in which every server delivered the packets; entries older than the window are
 * trimmed as new ones are added.
 */
final class RedisSessionStore implements SessionStore {

    private static final Logger LOG = Logger.getLogger(RedisSessionStore.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** How many log entries one read takes while looking for an offset, newest first. */
    private static final int PAGE = 500;
    /** Deletes a session (KEYS[1]) only if the server ARGV[1] stored it last. */
    private static final String FORGET_OWN = "local v = redis.call('GET', KEYS[1]) "
            + "if v and cjson.decode(v).owner == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /**
     * Stores a session (KEYS[1] = ARGV[1], expiring in ARGV[3] ms) unless another server than ARGV[2] claimed it: the
     * write of a server that holds an out-of-date connection of a socket restored elsewhere.
     */
    private static final String SAVE_OWN = "local v = redis.call('GET', KEYS[1]) "
            + "if v then local o = cjson.decode(v).owner if o and o ~= ARGV[2] then return 0 end end "
            + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) return 1";

    private final ProtocolJson protocol;
    private final RedisChannels redis;
    private final String key;
    private final long windowMs;
    private final ObjectMapper json;
    private final ObjectMapper msgpack;
    private final AtomicLong offsets = new AtomicLong();
    /** The logged broadcasts this server delivered lately: restores use them before reading the log in Redis. */
    private final RecentBroadcasts recent;
    private final String offsetPrefix;
    /** This server, written with each session it stores: it forgets only a session it stored last. */
    private final String member;

    RedisSessionStore(ProtocolJson protocol, RedisChannels redis, String member, String key, long windowMs) {
        this.protocol = protocol;
        this.redis = redis;
        this.key = key;
        this.windowMs = windowMs;
        this.json = protocol.mapper();
        this.msgpack = new ObjectMapper(BoundedMessagePack.factory());
        this.offsetPrefix = member.replaceAll("[^A-Za-z0-9]", "") + "-";
        this.member = member;
        this.recent = new RecentBroadcasts(protocol, windowMs, RECENT_MAX);
    }

    /** The most broadcasts of a namespace kept in memory for restores (older ones are read from Redis). */
    static final int RECENT_MAX = 50_000;

    RecentBroadcasts recent() {
        return recent;
    }

    /**
     * The namespace's log. On a Redis Cluster its name carries the namespace's channel as hash tag, so that the log
     * and the channel share a slot and one script appends and publishes.
     */
    String logKey(String namespace) {
        return redis.sharded() ? "{" + key + "#" + namespace + "#}-log" : key + "-log#" + namespace;
    }

    private String sessionKey(String namespace, String pid) {
        return key + "-session#" + namespace + "#" + pid;
    }

    long windowMs() {
        return windowMs;
    }

    @Override
    public String nextOffset() {
        return offsetPrefix + offsets.incrementAndGet();
    }

    @Override
    public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        // the adapter logs each broadcast in the script that publishes it
    }

    private String encode(Session session) {
        ObjectNode s = json.createObjectNode().put("sid", session.sid()).put("pid", session.pid()).put("owner", member);
        ArrayNode rooms = s.putArray("rooms");
        session.rooms().forEach(rooms::add);
        s.set("data", json.valueToTree(session.data()));
        return s.toString();
    }

    @Override
    public void claim(String namespace, Session session) {
        redis.command(Request.cmd(Command.SET).arg(sessionKey(namespace, session.pid())).arg(encode(session)).arg("PX")
                .arg(windowMs)).onFailure(e -> LOG.debugf("cannot save session %s: %s", session.pid(), e.getMessage()));
    }

    @Override
    public void save(String namespace, Session session) {
        write(namespace, session);
    }

    @Override
    public void disconnected(String namespace, Session session) {
        write(namespace, session);
    }

    /** Stores the session unless another server claimed it since (one script: no write can come in between). */
    private void write(String namespace, Session session) {
        redis.command(Request.cmd(Command.EVAL).arg(SAVE_OWN).arg(1).arg(sessionKey(namespace, session.pid()))
                .arg(encode(session)).arg(member).arg(windowMs))
                .onFailure(e -> LOG.debugf("cannot save session %s: %s", session.pid(), e.getMessage()));
    }

    /**
     * Deletes the session if this server stored it last. When the socket was restored on another server meanwhile
     * (its client came back there while this server still held its old connection), that server stored it since, and
     * closing the old connection here must not take it away from the client's next reconnection.
     */
    @Override
    public void forget(String namespace, String pid) {
        redis.command(Request.cmd(Command.EVAL).arg(FORGET_OWN).arg(1).arg(sessionKey(namespace, pid)).arg(member))
                .onFailure(e -> LOG.debugf("cannot forget session %s: %s", pid, e.getMessage()));
    }

    @Override
    public Uni<Restored> restore(String namespace, String pid, String offset) {
        Future<Restored> f = redis.command(Request.cmd(Command.GETDEL).arg(sessionKey(namespace, pid))).compose(r -> {
            if (r == null) {
                LOG.debugf("no session %s in %s to recover (expired, recovered already, or never saved)", pid, namespace);
                return Future.succeededFuture(null);
            }
            Session session;
            try {
                JsonNode s = json.readTree(r.toString());
                Set<String> rooms = new LinkedHashSet<>();
                s.path("rooms").forEach(n -> rooms.add(n.asText()));
                Map<String, Object> data = s.path("data").isObject() ? json.convertValue(s.path("data"), MAP) : new HashMap<>();
                session = new Session(s.path("sid").asText(), pid, rooms, data);
            } catch (IOException e) {
                return Future.succeededFuture(null);
            }
            List<Logged> kept = recent.after(namespace, session.rooms(), offset);
            if (kept != null) {
                return Future.succeededFuture(new Restored(session, kept));
            }
            Promise<List<JsonNode>> entries = Promise.promise();
            findAfter(logKey(namespace), "+", offset, new ArrayList<>(), entries);
            return entries.future().map(found -> {
                if (found == null) {
                    LOG.debugf("session %s in %s not recovered: offset %s is no longer in the log", pid, namespace, offset);
                    return null;
                }
                return new Restored(session, missed(namespace, session.rooms(), found));
            });
        });
        return Uni.createFrom().completionStage(f.toCompletionStage());
    }

    /**
     * Reads the log newest first, a page at a time, collecting messages until the entry of {@code offset}; completes
     * with them oldest first, or with null when the offset is not in the log.
     */
    private void findAfter(String log, String from, String offset, List<JsonNode> newerFirst, Promise<List<JsonNode>> done) {
        redis.command(Request.cmd(Command.XREVRANGE).arg(log).arg(from).arg("-").arg("COUNT").arg(PAGE)).onComplete(ar -> {
            if (ar.failed() || ar.result() == null) {
                done.complete(null);
                return;
            }
            Response page = ar.result();
            String lastId = null;
            for (int i = 0; i < page.size(); i++) {
                Response entry = page.get(i);
                lastId = entry.get(0).toString();
                Response fields = entry.get(1);
                String o = null;
                byte[] message = null;
                for (int k = 0; k + 1 < fields.size(); k += 2) {
                    String name = fields.get(k).toString();
                    if ("o".equals(name)) {
                        o = fields.get(k + 1).toString();
                    } else if ("m".equals(name)) {
                        message = fields.get(k + 1).toBytes();
                    }
                }
                if (offset.equals(o)) {
                    Collections.reverse(newerFirst);
                    done.complete(newerFirst);
                    return;
                }
                try {
                    newerFirst.add(msgpack.readTree(message));
                } catch (IOException | IllegalArgumentException e) {
                    LOG.debugf("skipping an unreadable log entry %s", lastId);
                }
            }
            if (page.size() < PAGE || lastId == null) {
                done.complete(null);
            } else {
                findAfter(log, "(" + lastId, offset, newerFirst, done);
            }
        });
    }

    @Override
    public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
        List<Logged> kept = recent.after(namespace, rooms, offset);
        if (kept != null) {
            return Uni.createFrom().item(kept);
        }
        Promise<List<JsonNode>> entries = Promise.promise();
        findAfter(logKey(namespace), "+", offset, new ArrayList<>(), entries);
        return Uni.createFrom().completionStage(entries.future()
                .map(found -> found == null ? List.<Logged> of() : missed(namespace, rooms, found)).toCompletionStage());
    }

    /** The logged broadcasts that reached these rooms, encoded for the client. */
    private List<Logged> missed(String namespace, Set<String> socketRooms, List<JsonNode> messages) {
        List<Logged> missed = new ArrayList<>();
        for (JsonNode logged : messages) {
            // Node's classic adapter's [uid, packet, opts], or its ClusterAdapter's {uid, nsp, type, data: {packet, opts}}
            JsonNode packet = logged.isArray() ? logged.get(1) : logged.path("data").path("packet");
            JsonNode opts = logged.isArray() ? logged.get(2) : logged.path("data").path("opts");
            Set<String> rooms = new LinkedHashSet<>();
            opts.path("rooms").forEach(n -> rooms.add(n.asText()));
            Set<String> except = new LinkedHashSet<>();
            opts.path("except").forEach(n -> except.add(n.asText()));
            if (!SessionStore.reached(socketRooms, rooms, except)) {
                continue;
            }
            JsonNode data = packet.path("data");
            Object[] args = new Object[data.size() - 1];
            for (int i = 1; i < data.size(); i++) {
                args[i - 1] = data.get(i);
            }
            missed.add(new Logged(data.get(data.size() - 1).asText(),
                    protocol.encoder().event(namespace, -1, data.get(0).asText(), args)));
        }
        return missed;
    }
}
