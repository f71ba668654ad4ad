package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.BroadcastOperator;
import dev.qsio.EventArgs;
import dev.qsio.Handshake;
import dev.qsio.HandshakeRequest;
import dev.qsio.NamespaceEvent;
import dev.qsio.NamespaceMatcher;
import dev.qsio.RoomEvent;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoServer;
import dev.qsio.runtime.adapter.AdapterFactory;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.engine.SessionHandler;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.spans.Tracing;
import io.quarkus.arc.Arc;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The Socket.IO server: namespaces (static and dynamic), and the Engine.IO handler that turns engine sessions into
 * Socket.IO connections. Its adapter factory and session store are chosen at startup for the role of the process.
 */
@Singleton
public class SocketIoServerImpl implements SocketIoServer, ForwardingNamespace {

    private static final Logger LOG = Logger.getLogger(SocketIoServerImpl.class);

    @Inject
    Vertx vertx;

    @Inject
    SocketIoRuntimeConfig config;

    @Inject
    ProtocolJson json;

    @Inject
    Handlers handlers;

    @Inject
    BroadcastHooks hooks;

    @Inject
    ServerStats stats;

    @Inject
    InboundLimits.Options inbound;

    @Inject
    SlowConsumerPolicies slowConsumerPolicies;

    @Inject
    IdentityCaps identityCaps;

    @Inject
    AdapterFactory adapters;

    @Inject
    SessionStore sessionStore;

    @Inject
    Event<RoomEvent> roomEventSink;

    @Inject
    Event<NamespaceEvent> namespaceEventSink;

    /** Whether the application observes {@link NamespaceEvent}; set once the declared namespaces exist. */
    private volatile boolean namespaceEvents;

    @Inject
    BeanManager beanManager;

    @Inject
    Tracing tracing;

    /**
     * Where room changes go: the CDI event when the application observes it, and the views' listeners added with
     * {@link #observeRooms(Consumer)}; null when nobody listens (none is made).
     */
    private volatile Consumer<RoomEvent> roomEvents;
    /** Told of every socket's life, or null (see {@link SocketObserver}). */
    private volatile SocketObserver observer;

    private volatile HandlerFailures failures;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final SessionHandler<Client> engineHandler = new EngineBridge();
    private Namespace main;

    @PostConstruct
    void init() {
        roomEvents = beanManager.resolveObserverMethods(new RoomEvent("/", RoomEvent.Kind.CREATED, "/", null)).isEmpty()
                ? null
                : roomEventSink::fire;
        main = (Namespace) of("/");
        for (String name : handlers.byNamespace.keySet()) {
            of(name);
        }
        // the declared namespaces exist from the start; those made later are told
        namespaceEvents = !beanManager.resolveObserverMethods(new NamespaceEvent("/", false)).isEmpty();
    }

    /** A namespace was made after startup: the application's observers of {@link NamespaceEvent} hear of it. */
    private void created(Namespace namespace) {
        if (!namespaceEvents) {
            return;
        }
        try {
            namespaceEventSink.fire(new NamespaceEvent(namespace.name(), namespace.dynamic()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "An observer of NamespaceEvent failed for %s", namespace.name());
        }
    }

    // ---- for the layers around

    Consumer<RoomEvent> roomEvents() {
        return roomEvents;
    }

    /** Adds a listener of room changes on this server, beside the application's observers of {@link RoomEvent}. */
    public synchronized void observeRooms(Consumer<RoomEvent> listener) {
        Consumer<RoomEvent> current = roomEvents;
        roomEvents = current == null ? listener : current.andThen(listener);
    }

    /** Registers the observer of every socket's life; there is one at most. */
    public synchronized void observe(SocketObserver observer) {
        if (this.observer != null) {
            throw new IllegalStateException("a socket observer is already registered");
        }
        this.observer = observer;
    }

    SocketObserver observer() {
        return observer;
    }

    public Vertx vertx() {
        return vertx;
    }

    Tracing tracing() {
        return tracing;
    }

    public ServerStats stats() {
        return stats;
    }

    /** Where handler failures are counted and logged, rate-limited. */
    HandlerFailures failures() {
        HandlerFailures f = failures;
        if (f == null) {
            synchronized (this) {
                f = failures;
                if (f == null) {
                    f = failures = new HandlerFailures(stats.adder(ServerFigure.HANDLER_FAILURES));
                }
            }
        }
        return f;
    }

    ProtocolJson json() {
        return json;
    }

    /** What the first-argument forms of {@code emitWithAck} give: the first argument, JSON null when there is none. */
    static JsonNode firstOf(EventArgs answer) {
        return answer.values().isEmpty() ? NullNode.getInstance() : answer.get(0);
    }

    /** {@link #firstOf(EventArgs)} of each acknowledgement of a broadcast. */
    static List<JsonNode> firstsOf(List<EventArgs> answers) {
        List<JsonNode> out = new ArrayList<>(answers.size());
        for (EventArgs a : answers) {
            out.add(firstOf(a));
        }
        return out;
    }

    /** An acknowledgement's value bound to a type with the application's Jackson setup. */
    <T> T ackValue(JsonNode value, Class<T> type) {
        try {
            return json.mapper().treeToValue(value, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String text = String.valueOf(value);
            throw new IllegalArgumentException("the acknowledgement " + (text.length() > 200 ? text.substring(0, 200)
                    + "..." : text) + " cannot be bound to " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Each acknowledgement of a broadcast bound to a type (see {@link #ackValue(JsonNode, Class)}). */
    <T> List<T> ackValues(List<JsonNode> values, Class<T> type) {
        List<T> out = new ArrayList<>(values.size());
        for (JsonNode v : values) {
            out.add(ackValue(v, type));
        }
        return out;
    }

    BroadcastHooks broadcastHooks() {
        return hooks;
    }

    AdapterFactory adapters() {
        return adapters;
    }

    /** The store of connection state recovery, or null when recovery is off. */
    SessionStore sessionStore() {
        return sessionStore.enabled() ? sessionStore : null;
    }

    /** Saves the state of every connected socket again (refreshes its expiry in a shared store). */
    public void saveSessions() {
        for (Namespace namespace : namespaces.values()) {
            for (SocketImpl socket : namespace.sockets()) {
                socket.saveSession();
            }
        }
    }

    /** The field of a CONNECT's auth that carries a bearer token, or null. */
    String authTokenField() {
        return config.security().authTokenField().filter(f -> !f.isBlank()).orElse(null);
    }

    boolean recoverySkipsMiddlewares() {
        return config.connectionStateRecovery().skipMiddlewares();
    }

    Duration ackTimeout() {
        return config.ackTimeout();
    }

    long connectTimeoutMs() {
        return config.connectTimeout().toMillis();
    }

    /** A new connection's limits on what its client sends, or null when none is set. */
    InboundLimits inboundLimits() {
        return inbound.any() ? new InboundLimits(inbound, System.nanoTime()) : null;
    }

    int maxAttachments() {
        return config.maxAttachments();
    }

    int maxNamespacesPerConnection() {
        return config.maxNamespacesPerConnection();
    }

    /**
     * A dynamic namespace whose last socket left, or whose last CONNECT was refused, is forgotten, so that a flood of
     * names does not pile up (unless {@code cleanup-empty-child-namespaces} is off). Not while a CONNECT to it is
     * still being admitted: that one's end decides.
     */
    void forgetIfEmptyDynamic(Namespace namespace) {
        if (!namespace.dynamic() || !config.cleanupEmptyChildNamespaces()) {
            return;
        }
        boolean[] forgotten = new boolean[1];
        // under the table's lock for the name, as namespaceFor counts an admission: none slips in between
        namespaces.computeIfPresent(namespace.name(), (n, ns) -> {
            if (ns == namespace && ns.sockets().isEmpty() && ns.admitting() == 0) {
                forgotten[0] = true;
                return null;
            }
            return ns;
        });
        if (forgotten[0]) {
            namespace.close();
        }
    }

    /** The Engine.IO handler that turns engine sessions into Socket.IO connections. */
    public SessionHandler<?> engineHandler() {
        return engineHandler;
    }

    public Collection<Namespace> namespaces() {
        return namespaces.values();
    }

    /** Whether the application declares handlers for namespace {@code name} (by its name or a pattern it matches). */
    public boolean declares(String name) {
        return handlers.of(name) != NamespaceHandlers.NONE;
    }

    /** The namespace a client asks for, created if a dynamic declaration accepts the name; null if none. */
    Namespace namespaceFor(String name, HandshakeRequest request, JsonNode auth) {
        // the admission is counted as the namespace is taken from the table, atomically with it: a dynamic namespace
        // being forgotten (forgetIfEmptyDynamic) is either still there, and kept, or gone, and made anew
        Namespace existing = namespaces.computeIfPresent(name, (n, ns) -> ns.admissionStarted());
        if (existing != null) {
            return existing;
        }
        for (Handlers.Dynamic d : handlers.dynamic) {
            boolean accepted;
            if (d.pattern() != null) {
                accepted = d.pattern().matcher(name).matches();
            } else {
                accepted = matcher(d.matcherClass()).matches(name, new Handshake(request, auth));
            }
            if (accepted) {
                Namespace[] made = new Namespace[1];
                Namespace ns = namespaces.compute(name, (n, current) -> (current != null ? current
                        : (made[0] = new Namespace(n, this, d.handlers(), true))).admissionStarted());
                if (made[0] != null) {
                    created(made[0]);
                }
                return ns;
            }
        }
        return null;
    }

    private NamespaceMatcher matcher(String className) {
        try {
            Class<?> type = Thread.currentThread().getContextClassLoader().loadClass(className);
            return (NamespaceMatcher) Arc.container().instance(type).get();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("namespace matcher class not found: " + className, e);
        }
    }

    // ---- SocketIoServer

    @Override
    public SocketIoNamespace of(String name) {
        String n = name.startsWith("/") ? name : "/" + name;
        Namespace existing = namespaces.get(n);
        if (existing != null) {
            return existing;
        }
        Namespace[] made = new Namespace[1];
        Namespace ns = namespaces.computeIfAbsent(n, k -> made[0] = new Namespace(k, this, handlers.of(k), false));
        if (made[0] != null) {
            created(made[0]);
        }
        return ns;
    }

    @Override
    public BroadcastOperator ofPattern(String regex) {
        return new ChildrenOperator(this, Pattern.compile(regex), UnaryOperator.identity());
    }

    @Override
    public SocketIoNamespace namespace() {
        return main;
    }

    /** Feeds Engine.IO sessions to Socket.IO. */
    private final class EngineBridge implements SessionHandler<Client> {

        @Override
        public Client onOpen(EngineSession<Client> session) {
            Client client = new Client(SocketIoServerImpl.this, session);
            if (session.protocol() == 3) {
                // Socket.IO protocol 4 (2.x clients): the connection joins the main namespace without asking
                client.connectMain();
            }
            return client;
        }

        @Override
        public void onMessage(Client client, String text) {
            client.onText(text);
        }

        @Override
        public void onBinary(Client client, Buffer data) {
            client.onBinary(data);
        }

        @Override
        public void onClose(Client client, String reason) {
            client.onClose(reason);
        }

        @Override
        public void onUpgrade(Client client, String transport) {
            client.onUpgrade(transport);
        }

        @Override
        public void onDropped(Client client, Map<String, Integer> counts) {
            client.onDropped(counts);
        }
    }
}
