package dev.qsio.runtime.postgres;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.PubSubBus;
import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.ClusterAdapterMessages;
import dev.qsio.runtime.clusteradapter.AdapterLinkBase;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import dev.qsio.runtime.clusteradapter.Others;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The cluster adapter's messages on PostgreSQL, in the wire format of Node's {@code @socket.io/postgres-adapter}
 * (0.5), so that Node and Quarkus servers on one PostgreSQL form one fleet:
 * <ul>
 * <li>every message of a namespace is a notification on {@code <prefix>#<namespace>}: Node's {@code ClusterAdapter}
 * message {@code {uid, nsp, type, data}} as JSON, responses included (each server keeps the answers to its own
 * requests);</li>
 * <li>a message of 8000 bytes or more ({@code payload-threshold}) or with binary values is written msgpack-encoded to
 * the attachments table, and only {@code {uid, type, attachmentId}} is notified;</li>
 * <li>the servers of a namespace count each other by their messages, as Node's {@code ClusterAdapterWithHeartbeat}
 * does: a new one says {@code INITIAL_HEARTBEAT} and is answered with {@code HEARTBEAT}s, each sends a heartbeat when
 * it has sent nothing else for {@code heartbeat-interval}, is forgotten after {@code heartbeat-timeout} without
 * one, and says {@code ADAPTER_CLOSE} when it goes. Requests wait for the servers of their namespace by id.</li>
 * </ul>
 * A message without {@code nsp} (Node's {@code @socket.io/postgres-emitter} 0.1 writes none) belongs to the
 * namespace its channel names. Quarkus servers add a {@code qsio} member (origin worker and node, and a sequence
 * number: notifications of identical payloads in one transaction would be delivered once). With connection state
 * recovery, broadcasts are appended to the log ({@link PostgresSessionStore}) in the transaction that notifies them,
 * and every server, this one included, delivers them as they come back, in the log's order.
 */
final class PostgresAdapterLink extends AdapterLinkBase {

    private static final Logger LOG = Logger.getLogger(PostgresAdapterLink.class);
    /** The sender of Node's emitters, which is no server. */
    static final String EMITTER = "emitter";

    private final Vertx vertx;
    private final ProtocolJson protocol;
    private final PostgresChannels pg;
    private final ClusterAdapterMessages messages;
    private final NodeMessages wire;
    private final ObjectMapper json;
    private final String prefix;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    /** Connection state recovery's store, or null: then broadcasts are not logged. */
    private final PostgresSessionStore recovery;
    /** The other servers of each open namespace, and when each was last heard from (nanoTime). */
    private final Map<String, Map<String, Long>> members = new ConcurrentHashMap<>();
    /** When this server last sent something in each namespace (nanoTime). */
    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    PostgresAdapterLink(Vertx vertx, PubSubBus bus, PostgresChannels pg, ProtocolJson protocol, String prefix,
            Duration heartbeatInterval, Duration heartbeatTimeout, PostgresSessionStore recovery) {
        super(bus);
        this.vertx = vertx;
        this.protocol = protocol;
        this.pg = pg;
        this.messages = new ClusterAdapterMessages(protocol, uid);
        this.wire = messages.wire();
        this.json = wire.json;
        this.prefix = prefix;
        this.heartbeatInterval = heartbeatInterval;
        this.heartbeatTimeout = heartbeatTimeout;
        this.recovery = recovery;
    }

    /** A namespace's channel (Node's {@code <channelPrefix>#<nsp>}). */
    static String channel(String prefix, String nsp) {
        return prefix + "#" + nsp;
    }

    @Override
    protected void started() {
        // back on PostgreSQL after an outage: say hello again, so that the others answer and are counted again
        pg.onUp(() -> members.keySet().forEach(nsp -> signal(nsp, ClusterAdapterMessages.INITIAL_HEARTBEAT)));
        pg.onDown(() -> members.forEach((nsp, known) -> Set.copyOf(known.keySet()).forEach(m -> forget(nsp, m))));
        long tick = Math.max(100, Math.min(heartbeatInterval.toMillis(), 1000));
        vertx.setPeriodic(tick, t -> tick());
    }

    /** A Quarkus server that left the bus (its heartbeats stopped) is not waited for in any namespace. */
    @Override
    protected void memberLeft(String member) {
        members.forEach((nsp, known) -> forget(nsp, member));
    }

    private void tick() {
        long now = System.nanoTime();
        members.forEach((nsp, known) -> known.forEach((member, seen) -> {
            if (now - seen > heartbeatTimeout.toNanos()) {
                LOG.debugf("Socket.IO on PostgreSQL: %s sent nothing in %s for %d ms; no longer counted", member, nsp,
                        heartbeatTimeout.toMillis());
                forget(nsp, member);
            }
        }));
        lastSent.forEach((nsp, sent) -> {
            if (now - sent >= heartbeatInterval.toNanos()) {
                signal(nsp, ClusterAdapterMessages.HEARTBEAT);
            }
        });
    }

    private void forget(String nsp, String member) {
        Map<String, Long> known = members.get(nsp);
        if (known != null && known.remove(member) != null) {
            hub.onMemberLeft(member);
        }
    }

    @Override
    public void opened(String nsp) {
        members.putIfAbsent(nsp, new ConcurrentHashMap<>());
        pg.listen(channel(prefix, nsp), payload -> onNotification(nsp, payload));
        signal(nsp, ClusterAdapterMessages.INITIAL_HEARTBEAT);
    }

    @Override
    public void closed(String nsp) {
        signal(nsp, ClusterAdapterMessages.ADAPTER_CLOSE);
        members.remove(nsp);
        lastSent.remove(nsp);
        pg.unlisten(channel(prefix, nsp));
    }

    @Override
    public Future<Others> others(String namespace) {
        return Future.succeededFuture(othersNow(namespace));
    }

    @Override
    public Others othersNow() {
        return othersNow("/");
    }

    @Override
    public Others othersNow(String namespace) {
        Map<String, Long> known = members.get(namespace);
        return Others.named(known == null || !pg.isUp() ? Set.of() : known.keySet());
    }

    @Override
    public boolean deliversOwn(BroadcastOptions options) {
        return recovery != null && SessionStore.logged(options);
    }

    // ================================================================ outgoing

    private void signal(String nsp, int type) {
        send(nsp, messages.signal(nsp, type), null);
    }

    @Override
    public void publish(AdapterMessage message) {
        try {
            ObjectNode m = messages.encode(message, false);
            PostgresChannels.LogEntry log = null;
            if (recovery != null && message instanceof AdapterMessage.Broadcast b && b.withOffset()) {
                log = recovery.entry(b.namespace(), offsetOf(b), wire.pack(stamped(m)).getBytes());
            }
            send(m.path("nsp").asText(), m, log);
        } catch (ProtocolException e) {
            LOG.errorf("Cannot relay a %s to PostgreSQL: %s", message.getClass().getSimpleName(), e.getMessage());
        }
    }

    private String offsetOf(AdapterMessage.Broadcast b) throws ProtocolException {
        ArrayNode data = b.payload().data(protocol);
        return data.get(data.size() - 1).asText();
    }

    @Override
    public void respond(String requester, AdapterMessage response) {
        ObjectNode m = messages.encodeResponse(response);
        if (m != null) {
            send(m.path("nsp").asText(), m, null);
        }
    }

    /** Gives a message this server's next sequence number, which makes its payload unlike any other. */
    private ObjectNode stamped(ObjectNode m) {
        return NodePostgresFormat.stamp(m, sequence.incrementAndGet());
    }

    private void send(String nsp, ObjectNode m, PostgresChannels.LogEntry log) {
        stamped(m);
        String channel = channel(prefix, nsp);
        lastSent.put(nsp, System.nanoTime());
        try {
            NodePostgresFormat.Notified notified = NodePostgresFormat.encode(wire, m, pg.payloadThreshold());
            if (notified instanceof NodePostgresFormat.Attached a) {
                pg.notifyAttached(channel, a.body(), id -> a.header(json, id), log);
            } else if (log != null) {
                pg.notifyLogged(channel, ((NodePostgresFormat.Text) notified).payload(), log);
            } else {
                pg.notify(channel, ((NodePostgresFormat.Text) notified).payload());
            }
        } catch (IOException e) {
            LOG.errorf("Cannot encode a message for PostgreSQL: %s", e.getMessage());
        }
    }

    // ================================================================ incoming

    private Future<Void> onNotification(String nsp, String payload) {
        JsonNode m;
        try {
            m = json.readTree(payload);
        } catch (IOException e) {
            LOG.debugf("ignoring a malformed notification on %s: %s", nsp, e.getMessage());
            return null;
        }
        if (!m.isObject()) {
            return null;
        }
        long id = NodePostgresFormat.attachmentId(m);
        if (id < 0) {
            apply(nsp, (ObjectNode) m);
            return null;
        }
        boolean own = uid.equals(m.path("uid").asText());
        if (own && !(recovery != null && m.path("type").asInt() == ClusterAdapterMessages.BROADCAST)) {
            return null;
        }
        return pg.attachment(id).map(body -> {
            if (body == null) {
                LOG.debugf("the attachment %d of a message on %s is gone (older than the cleanup interval)", id, nsp);
                return null;
            }
            try {
                JsonNode full = wire.msgpack.readTree(body);
                if (full.isObject()) {
                    apply(nsp, (ObjectNode) full);
                }
            } catch (IOException e) {
                LOG.debugf("ignoring an unreadable attachment %d on %s: %s", id, nsp, e.getMessage());
            }
            return (Void) null;
        }).otherwise(e -> {
            LOG.debugf("the attachment %d of a message on %s could not be read: %s", id, nsp, e.getMessage());
            return null;
        });
    }

    private void apply(String nsp, ObjectNode message) {
        ObjectNode m = NodePostgresFormat.inNamespace(nsp, message);
        if (m == null) {
            return;
        }
        String sender = m.path("uid").asText();
        int type = m.path("type").asInt(-1);
        if (uid.equals(sender)) {
            if (recovery != null && type == ClusterAdapterMessages.BROADCAST
                    && m.path("qsio").path("offset").asBoolean(false)) {
                deliverLogged(nsp, m, true);
            }
            return;
        }
        Map<String, Long> known = members.get(nsp);
        if (known == null) {
            return;
        }
        if (!sender.isEmpty() && !EMITTER.equals(sender)) {
            known.put(sender, System.nanoTime());
        }
        switch (type) {
            case ClusterAdapterMessages.INITIAL_HEARTBEAT -> signal(nsp, ClusterAdapterMessages.HEARTBEAT);
            case ClusterAdapterMessages.HEARTBEAT -> {
            }
            case ClusterAdapterMessages.ADAPTER_CLOSE -> forget(nsp, sender);
            case ClusterAdapterMessages.BROADCAST -> deliverLogged(nsp, m, false);
            default -> messages.dispatch(m, nsp, null, false, hub);
        }
    }

    /** A broadcast; a logged one is kept for the restores of this server's clients, in the order of the log. */
    private void deliverLogged(String nsp, ObjectNode m, boolean own) {
        AdapterMessage decoded = messages.decode(m, null);
        if (!(decoded instanceof AdapterMessage.Broadcast b)) {
            return;
        }
        if (recovery != null && b.withOffset()) {
            try {
                ArrayNode data = b.payload().data(protocol);
                recovery.recent().add(nsp, data.get(data.size() - 1).asText(), b.payload(), b.selection());
            } catch (ProtocolException e) {
                return;
            }
        }
        hub.onMessage(own ? null : b.origin().member(), b);
    }
}
