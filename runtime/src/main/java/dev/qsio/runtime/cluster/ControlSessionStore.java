package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.BroadcastOptions;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.LocalBus;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.protocol.Encoded;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Connection state recovery for the workers of one host on the local bus: the sessions and the broadcast log are kept
 * by their primary ({@link Keeper}, an {@link InMemorySessionStore}), written and asked for on the bus's CONTROL
 * channel. A client whose worker crashed, was restarted, scaled away or drained recovers on any other worker of the
 * host. A worker logs each broadcast before it publishes it, on the same link to the primary, so the primary has
 * logged a broadcast before it relays it to any other worker; the primary sees a worker's exit and starts the window
 * of its connected sessions then. The primary's own death ends its workers, and the host's sessions with them.
 */
final class ControlSessionStore implements SessionStore {

    private static final Logger LOG = Logger.getLogger(ControlSessionStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final LocalBus bus;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final long timeoutMs;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong offsets = new AtomicLong();
    private final String offsetPrefix;
    private final Map<Long, Promise<JsonNode>> waiting = new ConcurrentHashMap<>();

    /**
     * @param mapper the application's JSON mapper, for the sockets' data
     * @param workerId this worker, in its offsets (with its start time: offsets of two incarnations never meet)
     */
    ControlSessionStore(LocalBus bus, Vertx vertx, ObjectMapper mapper, long timeoutMs, int workerId) {
        this.bus = bus;
        this.vertx = vertx;
        this.mapper = mapper;
        this.timeoutMs = timeoutMs;
        this.offsetPrefix = "w" + workerId + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
        bus.listen(Bus.Channel.CONTROL, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
                JsonNode message = Control.decode(payload);
                if (Control.RECOVERED.equals(message.path("op").asText())) {
                    Promise<JsonNode> p = waiting.remove(message.path("rid").asLong());
                    if (p != null) {
                        p.tryComplete(message);
                    }
                }
            }
        });
    }

    @Override
    public String nextOffset() {
        return offsetPrefix + offsets.incrementAndGet();
    }

    @Override
    public void append(String namespace, String offset, Encoded packet, BroadcastOptions options) {
        send(logOp(namespace, offset, packet, options.rooms(), options.except()));
    }

    private static void rooms(ArrayNode array, Set<String> rooms) {
        rooms.forEach(array::add);
    }

    @Override
    public void claim(String namespace, Session session) {
        send(session(Control.CLAIM, namespace, session));
    }

    @Override
    public void save(String namespace, Session session) {
        send(session(Control.SAVE, namespace, session));
    }

    @Override
    public void disconnected(String namespace, Session session) {
        send(session(Control.DISCONNECTED, namespace, session));
    }

    private ObjectNode session(String op, String namespace, Session session) {
        return sessionOp(mapper, op, namespace, session);
    }

    private static ObjectNode sessionOp(ObjectMapper mapper, String op, String namespace, Session session) {
        ObjectNode o = Control.op(op).put("nsp", namespace);
        o.set("session", sessionJson(mapper, session));
        return o;
    }

    @Override
    public void forget(String namespace, String pid) {
        send(Control.op(Control.FORGET).put("nsp", namespace).put("pid", pid));
    }

    @Override
    public Uni<Restored> restore(String namespace, String pid, String offset) {
        ObjectNode op = Control.op(Control.RECOVER).put("nsp", namespace).put("pid", pid).put("offset", offset);
        return ask(op).map(answer -> {
            Restored restored = restored(mapper, answer);
            if (restored == null) {
                LOG.debugf("no session %s in %s to recover (expired, recovered already, never saved, or its offset is "
                        + "no longer in the log)", pid, namespace);
            }
            return restored;
        });
    }

    /** The session and missed broadcasts of a {@link Control#RECOVERED} answer, or null when it has none. */
    private static Restored restored(ObjectMapper mapper, JsonNode answer) {
        JsonNode s = answer.path("session");
        return s.isObject() ? new Restored(session(mapper, s), logged(answer.path("missed"))) : null;
    }

    @Override
    public Uni<List<Logged>> since(String namespace, Set<String> rooms, String offset) {
        ObjectNode op = Control.op(Control.SINCE).put("nsp", namespace).put("offset", offset);
        rooms(op.putArray("rooms"), rooms);
        return ask(op).map(answer -> logged(answer.path("missed")));
    }

    private void send(ObjectNode op) {
        bus.send("primary", Bus.Channel.CONTROL, Control.encode(op));
    }

    /** Sends a request to the primary; its answer, or a failure once the request timeout has passed. */
    private Uni<JsonNode> ask(ObjectNode op) {
        long rid = ids.incrementAndGet();
        Promise<JsonNode> answer = Promise.promise();
        waiting.put(rid, answer);
        send(op.put("rid", rid));
        long timer = vertx.setTimer(timeoutMs, t -> {
            Promise<JsonNode> p = waiting.remove(rid);
            if (p != null) {
                p.tryFail("the primary did not answer for the session store within " + timeoutMs + " ms");
            }
        });
        return Uni.createFrom().completionStage(answer.future().onComplete(ar -> vertx.cancelTimer(timer))
                .toCompletionStage());
    }

    /**
     * Runs the ops of connection state recovery through both ends of the CONTROL channel, in this process, before it
     * takes part in a cluster: a worker's requests encoded as it sends them, read and answered by a scratch
     * {@link Keeper} as the primary's, the answers read as the worker reads them. Nothing runs these before the first
     * worker dies, and then hundreds of its clients restore at once (a reconnect herd) while the JIT compiles them:
     * measured, the first herd's restores took several times the later ones'. Neither the bus nor the process's own
     * store is touched. Returns the sessions restored (all of them, unless the codec lost one).
     *
     * @param mapper the application's JSON mapper, as the sockets' data goes through it
     * @param sessions how many sessions go through a claim, a logged broadcast, a disconnection and a restore
     */
    static int exercise(ObjectMapper mapper, int sessions) {
        Keeper keeper = new Keeper(new InMemorySessionStore(60_000, 64L * 1024 * 1024, true));
        String nsp = "/";
        String previous = "warm-0";
        keeper.handle(0, Control.decode(Control.encode(logOp(nsp, previous, Encoded.of("42[\"warm-up\",0]", List.of()), Set.of(), Set.of()))));
        int restored = 0;
        for (int i = 1; i <= sessions; i++) {
            Set<String> rooms = new LinkedHashSet<>(List.of("warm-" + (i & 7)));
            Map<String, Object> data = Map.of("user", "u" + i, "n", i, "flags", List.of(true, i));
            Session session = new Session("sid-" + i, "pid-" + i, rooms, data);
            keeper.handle(0, Control.decode(Control.encode(sessionOp(mapper, Control.CLAIM, nsp, session))));
            keeper.handle(0, Control.decode(Control.encode(sessionOp(mapper, Control.SAVE, nsp, session))));
            String offset = "warm-" + i;
            keeper.handle(0, Control.decode(Control.encode(logOp(nsp, offset, Encoded.of("42[\"m\",{\"i\":" + i + "}]", List.of()),
                    (i & 1) == 0 ? rooms : Set.of(), Set.of()))));
            keeper.handle(0, Control.decode(Control.encode(sessionOp(mapper, Control.DISCONNECTED, nsp, session))));
            ObjectNode recover = Control.op(Control.RECOVER).put("nsp", nsp).put("pid", session.pid())
                    .put("offset", previous).put("rid", i);
            Buffer answer = keeper.handle(1, Control.decode(Control.encode(recover)));
            JsonNode message = answer == null ? null : Control.decode(answer);
            if (message != null && Control.RECOVERED.equals(message.path("op").asText())
                    && restored(mapper, message) != null) {
                restored++;
            }
            keeper.handle(1, Control.decode(Control.encode(sessionOp(mapper, Control.CLAIM, nsp, session))));
            keeper.handle(1, Control.decode(Control.encode(Control.op(Control.FORGET).put("nsp", nsp)
                    .put("pid", session.pid()))));
            previous = offset;
            if ((i & 63) == 0) {
                keeper.store().sweep();
            }
        }
        return restored;
    }

    /** The sessions of {@link #exercise} when {@code quarkus.socketio.warm-up.recovery-sessions} is unset. */
    static final int DEFAULT_EXERCISE = 2000;

    /** The sessions {@link #exercise} runs in this process: the setting, or its default for the launch mode. */
    static int exerciseSessions(SocketIoRuntimeConfig runtime) {
        OptionalInt given = runtime.warmUp().recoverySessions();
        if (given.isPresent()) {
            return given.getAsInt();
        }
        return LaunchMode.current() == LaunchMode.NORMAL ? DEFAULT_EXERCISE : 0;
    }

    /** Runs {@link #exercise} on a thread of its own, so that the process does not wait for it to start serving. */
    static void exerciseInBackground(ObjectMapper mapper, int sessions) {
        if (sessions <= 0) {
            return;
        }
        Thread thread = new Thread(() -> {
            long start = System.nanoTime();
            try {
                int restored = exercise(mapper, sessions);
                LOG.infof("Warmed connection state recovery's session store with %d sessions in %d ms "
                        + "(quarkus.socketio.warm-up.recovery-sessions)", restored,
                        (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.warnf(e, "The warm-up of connection state recovery's session store failed; the first restores "
                        + "will run cold");
            }
        }, "qsio-recovery-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static ObjectNode logOp(String namespace, String offset, Encoded packet, Set<String> rooms,
            Set<String> except) {
        ObjectNode op = Control.op(Control.LOG).put("nsp", namespace).put("offset", offset);
        op.set("packet", packet(packet));
        rooms(op.putArray("rooms"), rooms);
        rooms(op.putArray("except"), except);
        return op;
    }

    // ---- the JSON of sessions and packets on the CONTROL channel

    static ObjectNode sessionJson(ObjectMapper mapper, Session session) {
        ObjectNode s = JSON.createObjectNode().put("sid", session.sid()).put("pid", session.pid());
        rooms(s.putArray("rooms"), session.rooms());
        s.set("data", mapper.valueToTree(session.data()));
        return s;
    }

    static Session session(ObjectMapper mapper, JsonNode s) {
        Set<String> rooms = new LinkedHashSet<>();
        s.path("rooms").forEach(n -> rooms.add(n.asText()));
        Map<String, Object> data = s.path("data").isObject() ? mapper.convertValue(s.path("data"), MAP) : Map.of();
        return new Session(s.path("sid").asText(), s.path("pid").asText(), rooms, data);
    }

    /** A packet's Engine.IO messages: {@code {"t": text}} or {@code {"b": base64}} each, header first. */
    static ArrayNode packet(Encoded packet) {
        ArrayNode messages = JSON.createArrayNode();
        for (EnginePacket m : packet.messages()) {
            if (m.isBinary()) {
                messages.addObject().put("b", m.binary().getBytes());
            } else {
                messages.addObject().put("t", m.text());
            }
        }
        return messages;
    }

    static Encoded packet(JsonNode messages) throws IOException {
        JsonNode first = messages.path(0);
        if (first.has("b")) {
            return Encoded.binary(Buffer.buffer(first.get("b").binaryValue()));
        }
        List<Buffer> attachments = new ArrayList<>();
        for (int i = 1; i < messages.size(); i++) {
            attachments.add(Buffer.buffer(messages.get(i).path("b").binaryValue()));
        }
        return Encoded.of(first.path("t").asText(), attachments);
    }

    static ArrayNode loggedJson(List<Logged> logged) {
        ArrayNode missed = JSON.createArrayNode();
        for (Logged l : logged) {
            ObjectNode o = missed.addObject().put("offset", l.offset());
            o.set("packet", packet(l.packet()));
        }
        return missed;
    }

    static List<Logged> logged(JsonNode missed) {
        List<Logged> logged = new ArrayList<>(missed.size());
        for (JsonNode l : missed) {
            try {
                logged.add(new Logged(l.path("offset").asText(), packet(l.path("packet"))));
            } catch (IOException e) {
                throw new IllegalStateException("an unreadable logged packet from the primary", e);
            }
        }
        return logged;
    }

    /**
     * The primary's side: the sessions and broadcast log of its host, each session owned by the worker (slot) that
     * stored it last, and the answers to its workers' requests.
     */
    static final class Keeper {

        /** The largest answer sent back; a longer one (a huge backlog) is answered as not recovered. */
        static final int MAX_ANSWER = 48 * 1024 * 1024;

        private final InMemorySessionStore store;
        private final ObjectMapper mapper = new ObjectMapper();

        Keeper(Vertx vertx, long windowMs, long maxLogBytes) {
            this(new InMemorySessionStore(vertx, windowMs, maxLogBytes, true));
        }

        Keeper(InMemorySessionStore store) {
            this.store = store;
        }

        InMemorySessionStore store() {
            return store;
        }

        /** Handles a session store op of the worker of {@code slot}; the answer to send back to it, or null. */
        Buffer handle(int slot, JsonNode message) {
            String owner = String.valueOf(slot);
            String nsp = message.path("nsp").asText();
            try {
                switch (message.path("op").asText()) {
                    case Control.LOG -> store.append(nsp, message.path("offset").asText(), packet(message.path("packet")),
                            set(message.path("rooms")), set(message.path("except")));
                    case Control.CLAIM -> store.claim(nsp, session(mapper, message.path("session")), owner);
                    case Control.SAVE -> store.save(nsp, session(mapper, message.path("session")), owner);
                    case Control.DISCONNECTED -> store.disconnected(nsp, session(mapper, message.path("session")), owner);
                    case Control.FORGET -> store.forget(nsp, message.path("pid").asText(), owner);
                    case Control.RECOVER -> {
                        Restored r = store.restoreNow(nsp, message.path("pid").asText(), message.path("offset").asText());
                        ObjectNode answer = answer(message);
                        if (r != null) {
                            answer.set("session", sessionJson(mapper, r.session()));
                            answer.set("missed", loggedJson(r.missed()));
                        }
                        return bounded(answer, r != null ? () -> store.disconnected(nsp, r.session(), owner) : null);
                    }
                    case Control.SINCE -> {
                        ObjectNode answer = answer(message);
                        answer.set("missed", loggedJson(store.sinceNow(nsp, set(message.path("rooms")),
                                message.path("offset").asText())));
                        return bounded(answer, null);
                    }
                    default -> {
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf("An unreadable session store op '%s' from the worker of slot %d: %s",
                        message.path("op").asText(), slot, e.toString());
            }
            return null;
        }

        private static ObjectNode answer(JsonNode request) {
            return Control.op(Control.RECOVERED).put("rid", request.path("rid").asLong());
        }

        /** The answer, or one without what it carried when it is over {@link #MAX_ANSWER} (then {@code undo} runs). */
        private static Buffer bounded(ObjectNode answer, Runnable undo) {
            Buffer encoded = Control.encode(answer);
            if (encoded.length() <= MAX_ANSWER) {
                return encoded;
            }
            LOG.warnf("A recovery's missed broadcasts take %d bytes, over the %d a bus answer may carry: the client "
                    + "connects as a new socket", encoded.length(), MAX_ANSWER);
            if (undo != null) {
                undo.run();
            }
            answer.remove(List.of("session", "missed"));
            return Control.encode(answer);
        }

        /** The worker of {@code slot} exited: its connected sessions are disconnected now. Returns how many. */
        int orphan(int slot) {
            return store.orphan(String.valueOf(slot));
        }

        /** The rooms of a message, as a set that takes little room in the log (most are empty or one). */
        private static Set<String> set(JsonNode array) {
            if (array.isEmpty()) {
                return Set.of();
            }
            Set<String> s = new LinkedHashSet<>();
            array.forEach(n -> s.add(n.asText()));
            return Set.copyOf(s);
        }
    }
}
