package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.BroadcastOperator;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import dev.qsio.Handshake;
import dev.qsio.HandshakeRequest;
import dev.qsio.NamespaceMatcher;
import dev.qsio.RemoteSocket;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.SocketMiddleware;
import dev.qsio.runtime.adapter.InMemoryAdapter;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.runtime.protocol.PacketEncoder;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.quarkus.arc.Arc;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The Socket.IO server: namespaces (static and dynamic), the protocol codec, and the Engine.IO handler that feeds
 * them.
 */
@Singleton
public class SocketIoServerImpl implements SocketIoServer {

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper applicationMapper;

    @Inject
    SocketIoRuntimeConfig config;

    @Inject
    SocketIoMetadata metadata;

    @Inject
    dev.qsio.ClusterInfo identity;

    private ObjectMapper mapper;
    private PacketEncoder encoder;
    private com.fasterxml.jackson.databind.ObjectReader strictReader;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final Map<String, NamespaceHandlers> staticHandlers = new HashMap<>();
    private final List<DynamicNamespaces> dynamic = new ArrayList<>();
    private BroadcastHooks hooks;
    private volatile Adapters adapters = InMemoryAdapter::new;
    private volatile dev.qsio.runtime.adapter.SessionStore sessions;
    private final EngineIoHandler engineHandler = new EngineBridge();
    private Namespace main;
    private final ServerStats stats = new ServerStats();

    /** Handlers that serve every namespace name a pattern or matcher accepts. */
    private record DynamicNamespaces(Pattern pattern, String matcherClass, NamespaceHandlers handlers) {
    }

    @PostConstruct
    void init() {
        mapper = ProtocolJson.protocolMapper(applicationMapper);
        encoder = new PacketEncoder(mapper);
        strictReader = dev.qsio.runtime.protocol.PacketDecoder.strictReader(mapper);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Map<String, List<HandlerMethod>> groups = new LinkedHashMap<>();
        Map<String, HandlerDefinition> groupDefinitions = new HashMap<>();
        List<HandlerMethod> broadcast = new ArrayList<>();
        for (HandlerDefinition d : metadata.handlers()) {
            HandlerMethod m = new HandlerMethod(d, mapper, loader);
            if (m.kind == HandlerDefinition.Kind.BROADCAST) {
                broadcast.add(m);
            } else {
                groups.computeIfAbsent(d.group(), k -> new ArrayList<>()).add(m);
                groupDefinitions.putIfAbsent(d.group(), d);
            }
        }
        for (Map.Entry<String, List<HandlerMethod>> group : groups.entrySet()) {
            HandlerDefinition d = groupDefinitions.get(group.getKey());
            NamespaceHandlers handlers = new NamespaceHandlers(group.getValue());
            if (!d.getPattern().isEmpty()) {
                dynamic.add(new DynamicNamespaces(Pattern.compile(d.getPattern()), null, handlers));
            } else if (!d.getMatcher().isEmpty()) {
                dynamic.add(new DynamicNamespaces(null, d.getMatcher(), handlers));
            } else {
                staticHandlers.put(d.getNamespace(), handlers);
            }
        }
        hooks = new BroadcastHooks(broadcast, mapper, vertx.getOrCreateContext(), identity.workerId(), identity.nodeId());
        if (config.connectionStateRecovery().enabled()) {
            sessions = new dev.qsio.runtime.adapter.InMemorySessionStore(vertx,
                    config.connectionStateRecovery().maxDisconnectionDuration().toMillis());
        }
        main = (Namespace) of("/");
        for (String name : staticHandlers.keySet()) {
            of(name);
        }
    }

    // ---- for the layers around

    public Vertx vertx() {
        return vertx;
    }

    public ServerStats stats() {
        return stats;
    }

    public PacketEncoder encoder() {
        return encoder;
    }

    public ObjectMapper protocolMapper() {
        return mapper;
    }

    /** The reader of packet decoders, shared by every connection. */
    public com.fasterxml.jackson.databind.ObjectReader strictReader() {
        return strictReader;
    }

    public BroadcastHooks broadcastHooks() {
        return hooks;
    }

    Adapters adapters() {
        return adapters;
    }

    /**
     * Replaces how namespaces get their adapter: the cluster installs its own at bootstrap, before clients connect.
     * Namespaces created before get the new adapter too.
     */
    public void useAdapters(Adapters factory) {
        this.adapters = factory;
        for (Namespace namespace : namespaces.values()) {
            namespace.replaceAdapter(factory.create(namespace));
        }
    }

    /** The store of connection state recovery, or null when recovery is off. */
    public dev.qsio.runtime.adapter.SessionStore sessionStore() {
        return sessions;
    }

    /** Replaces the session store (the redis bus keeps sessions in Redis); only when recovery is on. */
    public void useSessionStore(dev.qsio.runtime.adapter.SessionStore store) {
        if (sessions != null) {
            sessions = store;
        }
    }

    /** Saves the state of every connected socket again (refreshes its expiry in a shared store). */
    public void saveSessions() {
        for (Namespace namespace : namespaces.values()) {
            for (SocketImpl socket : namespace.socketImpls()) {
                socket.saveSession();
            }
        }
    }

    boolean recoverySkipsMiddlewares() {
        return config.connectionStateRecovery().skipMiddlewares();
    }

    Duration ackTimeout() {
        return config.ackTimeout();
    }

    public long ackTimeoutMs() {
        return config.ackTimeout().toMillis();
    }

    /** The namespace with this name if it exists here; never creates one. */
    public Namespace existingNamespace(String name) {
        return namespaces.get(name);
    }

    long connectTimeoutMs() {
        return config.connectTimeout().toMillis();
    }

    int maxAttachments() {
        return config.maxAttachments();
    }

    int maxNamespacesPerConnection() {
        return config.maxNamespacesPerConnection();
    }

    /** A dynamic namespace whose last socket left is forgotten, so that a flood of names does not pile up. */
    void forgetIfEmptyDynamic(Namespace namespace) {
        if (namespace.dynamic() && namespace.socketImpls().isEmpty()) {
            namespaces.remove(namespace.name(), namespace);
        }
    }

    /** The Engine.IO handler that turns engine sessions into Socket.IO connections. */
    public EngineIoHandler engineHandler() {
        return engineHandler;
    }

    public Collection<Namespace> namespaces() {
        return namespaces.values();
    }

    /** The namespace a client asks for, created if a dynamic declaration accepts the name; null if none. */
    Namespace namespaceFor(String name, HandshakeRequest request, JsonNode auth) {
        Namespace existing = namespaces.get(name);
        if (existing != null) {
            return existing;
        }
        for (DynamicNamespaces d : dynamic) {
            boolean accepted;
            if (d.pattern != null) {
                accepted = d.pattern.matcher(name).matches();
            } else {
                accepted = matcher(d.matcherClass).matches(name, new Handshake(request, auth));
            }
            if (accepted) {
                return namespaces.computeIfAbsent(name, n -> new Namespace(n, this, d.handlers, true));
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
        return namespaces.computeIfAbsent(n, k -> new Namespace(k, this, handlersFor(k)));
    }

    /** The handlers of a name: its static declaration, or the first dynamic pattern it matches. */
    private NamespaceHandlers handlersFor(String name) {
        NamespaceHandlers declared = staticHandlers.get(name);
        if (declared != null) {
            return declared;
        }
        for (DynamicNamespaces d : dynamic) {
            if (d.pattern != null && d.pattern.matcher(name).matches()) {
                return d.handlers;
            }
        }
        return NamespaceHandlers.NONE;
    }

    @Override
    public String name() {
        return "/";
    }

    @Override
    public SocketIoNamespace use(SocketMiddleware middleware) {
        return main.use(middleware);
    }

    @Override
    public Collection<SocketIoSocket> localSockets() {
        return main.localSockets();
    }

    @Override
    public SocketIoSocket socket(String id) {
        return main.socket(id);
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        main.serverSideEmit(event, args);
    }

    @Override
    public Uni<List<JsonNode>> serverSideEmitWithAck(String event, Object... args) {
        return main.serverSideEmitWithAck(event, args);
    }

    @Override
    public Uni<Integer> serverCount() {
        return main.serverCount();
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return main.to(rooms);
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return main.except(rooms);
    }

    @Override
    public BroadcastOperator local() {
        return main.local();
    }

    @Override
    public BroadcastOperator volatile_() {
        return main.volatile_();
    }

    @Override
    public BroadcastOperator timeout(Duration timeout) {
        return main.timeout(timeout);
    }

    @Override
    public void emit(String event, Object... args) {
        main.emit(event, args);
    }

    @Override
    public Uni<List<JsonNode>> emitWithAck(String event, Object... args) {
        return main.emitWithAck(event, args);
    }

    @Override
    public Uni<List<RemoteSocket>> fetchSockets() {
        return main.fetchSockets();
    }

    @Override
    public void socketsJoin(String... rooms) {
        main.socketsJoin(rooms);
    }

    @Override
    public void socketsLeave(String... rooms) {
        main.socketsLeave(rooms);
    }

    @Override
    public void disconnectSockets(boolean close) {
        main.disconnectSockets(close);
    }

    /** Feeds Engine.IO sessions to Socket.IO. */
    private final class EngineBridge implements EngineIoHandler {

        @Override
        public void onOpen(EngineIoSocket socket) {
            EngineSession session = (EngineSession) socket;
            session.attach(new Client(SocketIoServerImpl.this, session));
        }

        @Override
        public void onMessage(EngineIoSocket socket, String text) {
            Client client = (Client) ((EngineSession) socket).attachment();
            if (client != null) {
                client.onText(text);
            }
        }

        @Override
        public void onBinary(EngineIoSocket socket, Buffer data) {
            Client client = (Client) ((EngineSession) socket).attachment();
            if (client != null) {
                client.onBinary(data);
            }
        }

        @Override
        public void onClose(EngineIoSocket socket, String reason) {
            Client client = (Client) ((EngineSession) socket).attachment();
            if (client != null) {
                client.onClose(reason);
            }
        }
    }
}
