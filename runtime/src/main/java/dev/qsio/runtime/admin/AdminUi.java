package dev.qsio.runtime.admin;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.BroadcastOperator;
import dev.qsio.ConnectionRefusedException;
import dev.qsio.RemoteSocket;
import dev.qsio.RoomEvent;
import dev.qsio.SocketIoNamespace;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.config.AdminUiConfig;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.ServerRole;
import dev.qsio.runtime.server.SocketIoServerImpl;
import dev.qsio.runtime.server.SocketObserver;
import dev.qsio.runtime.figures.Counts;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The server side of the official Socket.IO Admin UI, as {@code instrument()} of {@code @socket.io/admin-ui} 0.5.1
 * does it in Node: an admin namespace with basic authentication (or Quarkus Security roles) that sends the UI its
 * features, every server's statistics every 2 seconds, every socket of the cluster on connection and, in development
 * mode, each connection, disconnection, upgrade, data change, room change and event; and obeys its commands. All of
 * it goes through the public server API: each server emits into the admin namespace, whose adapter carries the
 * emission to the admin clients of every worker and host, and the commands are namespace operations, which reach
 * every worker and host. Off by default; off, nothing of it exists at run time.
 */
@Singleton
public class AdminUi implements SocketObserver {

    private static final Logger LOG = Logger.getLogger(AdminUi.class);
    private static final String KEY = "quarkus.socketio.admin-ui.";
    private static final long STATS_INTERVAL_MS = 2000;
    /** What the UI's socket carries in its data until it is connected: the session id to send it. */
    private static final String SESSION_KEY = "session";

    @Inject
    AdminUiConfig config;

    @Inject
    SocketIoServerImpl server;

    @Inject
    EngineEndpoints engines;

    @Inject
    ServerRole role;

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper json;

    private volatile String socketIoPath = "/socket.io/";
    private AdminSessions sessions;
    private volatile AdminLogins logins;
    private List<String> roles;
    private boolean development;
    private String adminName;
    private SocketIoNamespace admin;
    private ObjectNode features;
    private AdminFigures figures;
    private AggregatedEvents aggregated;
    private ObjectNode serverBase;
    /** Set while this class writes a socket's {@code _admin} data, which is no change of the application's. */
    private final ThreadLocal<Boolean> writingOwnData = new ThreadLocal<>();

    /** The path of the Socket.IO engine, from the build. */
    void socketIoPath(String path) {
        this.socketIoPath = path;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        checkConfig();
        if (!role.servesSockets()) {
            // the primary of a cluster serves no socket: it only serves the UI's page
            return;
        }
        development = config.mode().map(m -> m == AdminUiConfig.Mode.DEVELOPMENT)
                .orElse(LaunchMode.current() != LaunchMode.NORMAL);
        adminName = config.namespace();
        if (server.declares(adminName)) {
            // sharing it, the UI's logins would meet the application's middleware and handlers, and its sockets the UI's
            throw new ConfigurationException(KEY + "namespace is " + adminName + ", a namespace the application declares "
                    + "handlers for too: give the Admin UI one of its own (for example /socketio-admin)",
                    Set.of(KEY + "namespace"));
        }
        admin = server.of(adminName);
        features = json.createObjectNode();
        ArrayNode supported = features.putArray("supportedFeatures");
        if (!config.readOnly()) {
            for (String f : List.of("EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT")) {
                supported.add(f);
            }
        }
        supported.add("AGGREGATED_EVENTS");
        if (development) {
            supported.add("ALL_EVENTS");
        }
        if (sessions != null) {
            AdminUiConfig.Login limits = config.login();
            logins = new AdminLogins(limits.maxFailures(), limits.failureWindow(), limits.threads(),
                    limits.queueSize());
        }
        admin.use(this::authenticate);
        server.observe(this);
        if (development) {
            server.observeRooms(this::roomChanged);
        }
        figures = new AdminFigures(engines, server, socketIoPath);
        aggregated = new AggregatedEvents(figures.totals());
        serverBase = json.createObjectNode()
                .put("serverId", config.serverId().orElseGet(this::defaultServerId))
                .put("hostname", hostname())
                .put("pid", ProcessHandle.current().pid());
        emitStats();
        long[] ticks = { 0 };
        vertx.setPeriodic(STATS_INTERVAL_MS / 2, t -> {
            aggregated.sample(figures.totals(), System.currentTimeMillis());
            if (++ticks[0] % 2 == 0) {
                emitStats();
            }
        });
        LOG.infof("Socket.IO Admin UI: namespace %s, %s mode%s", adminName, development ? "development" : "production",
                config.readOnly() ? ", read-only" : "");
    }

    void stop(@Observes ShutdownEvent event) {
        AdminLogins l = logins;
        if (l != null) {
            l.close();
        }
    }

    /**
     * The figures of the logins with a user name and password of this process (passwords checked, logins refused by
     * reason); zero when the Admin UI is off or logs in with roles.
     */
    public Counts<AdminLoginFigure> loginFigures() {
        AdminLogins l = logins;
        return l == null ? Counts.zero(AdminLoginFigure.class) : l.figures();
    }

    /** The roles or the credentials the Admin UI logs in with (its settings were checked at startup). */
    private void checkConfig() {
        checkSettings(config);
        List<String> allowed = config.rolesAllowed().orElse(List.of()).stream().filter(r -> !r.isBlank()).toList();
        if (!allowed.isEmpty()) {
            roles = allowed;
            return;
        }
        sessions = new AdminSessions(config.username().orElseThrow(), config.password().orElseThrow());
    }

    /** A bad value fails startup, naming the key. */
    public static void checkSettings(AdminUiConfig config) {
        if (!config.namespace().startsWith("/")) {
            throw new ConfigurationException(KEY + "namespace must start with /, got " + config.namespace(),
                    Set.of(KEY + "namespace"));
        }
        AdminUiConfig.Login login = config.login();
        atLeast("login.max-failures", login.maxFailures(), 1);
        atLeast("login.threads", login.threads(), 1);
        atLeast("login.queue-size", login.queueSize(), 0);
        if (login.failureWindow().toMillis() < 1) {
            throw new ConfigurationException(KEY + "login.failure-window must be a positive duration, got "
                    + login.failureWindow(), Set.of(KEY + "login.failure-window"));
        }
        config.serverId().ifPresent(id -> {
            if (id.isBlank()) {
                throw new ConfigurationException(KEY + "server-id must not be blank (leave it unset for the default)",
                        Set.of(KEY + "server-id"));
            }
        });
        if (!config.enabled() || config.rolesAllowed().orElse(List.of()).stream().anyMatch(r -> !r.isBlank())) {
            return;
        }
        config.username().filter(u -> !u.isBlank()).orElseThrow(() -> new ConfigurationException(
                KEY + "username and " + KEY + "password (a bcrypt hash), or " + KEY + "roles-allowed, must be set when "
                        + KEY + "enabled=true",
                Set.of(KEY + "username")));
        String hash = config.password().filter(p -> !p.isBlank()).orElseThrow(() -> new ConfigurationException(
                KEY + "password (a bcrypt hash) must be set with " + KEY + "username", Set.of(KEY + "password")));
        try {
            AdminSessions.checkHash(hash);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), Set.of(KEY + "password"));
        }
    }

    private static void atLeast(String key, int value, int min) {
        if (value < min) {
            throw new ConfigurationException(KEY + key + " must be " + min + " or more, got " + value,
                    Set.of(KEY + key));
        }
    }

    private String defaultServerId() {
        return role.serverId();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    // ---- authentication

    private Uni<Void> authenticate(SocketIoSocket socket) {
        if (roles != null) {
            var who = socket.securityIdentity();
            boolean allowed = !who.isAnonymous() && roles.stream().anyMatch(who::hasRole);
            return allowed ? Uni.createFrom().voidItem() : refused();
        }
        JsonNode auth = socket.handshake().auth();
        if (sessions.valid(text(auth, "sessionId"), System.currentTimeMillis())) {
            return Uni.createFrom().voidItem();
        }
        String user = text(auth, "username");
        String password = text(auth, "password");
        if (user == null || password == null) {
            return refused();
        }
        // bcrypt takes tens of milliseconds: off the event loop, and off the worker pool, within the limits
        return logins.check(SocketView.host(socket.handshake().address()), () -> sessions.matches(user, password))
                .chain(ok -> {
                    if (!ok) {
                        return refused();
                    }
                    socket.data().put(SocketView.ADMIN_KEY, Map.of(SESSION_KEY, sessions.newSession(
                            System.currentTimeMillis())));
                    return Uni.createFrom().voidItem();
                });
    }

    private static Uni<Void> refused() {
        return Uni.createFrom().failure(new ConnectionRefusedException("invalid credentials"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    // ---- the UI's connection

    private void adminConnected(SocketIoSocket socket, Object session) {
        if (session != null) {
            socket.emit("session", session);
        }
        if (!config.readOnly()) {
            socket.onAny(this::command);
        }
        socket.emit("config", features);
        if (development) {
            allSockets().subscribe().with(all -> socket.emit("all_sockets", all),
                    failure -> LOG.warnf("Admin UI: the sockets could not be fetched: %s", failure.getMessage()));
        }
    }

    /** Every socket of every namespace of this server, cluster-wide (Node's {@code fetchAllSockets}). */
    private Uni<ArrayNode> allSockets() {
        List<Uni<List<RemoteSocket>>> fetches = new ArrayList<>();
        for (Namespace namespace : server.namespaces()) {
            fetches.add(namespace.fetchSockets());
        }
        if (fetches.isEmpty()) {
            return Uni.createFrom().item(json.createArrayNode());
        }
        return Uni.join().all(fetches).andFailFast().map(lists -> {
            ArrayNode all = json.createArrayNode();
            for (List<RemoteSocket> list : lists) {
                for (RemoteSocket s : list) {
                    all.add(SocketView.of(s, json));
                }
            }
            return all;
        });
    }

    /** A command of the UI: Node's {@code registerFeatureHandlers}, on the namespace operations (cluster-wide). */
    private void command(String event, List<JsonNode> args) {
        if (args.isEmpty() || !args.get(0).isTextual()) {
            return;
        }
        String nsp = args.get(0).asText();
        switch (event) {
            case "emit" -> {
                if (args.size() < 3) {
                    return;
                }
                Object[] rest = args.subList(3, args.size()).toArray();
                select(nsp, args.get(1)).emit(args.get(2).asText(), rest);
            }
            case "join" -> {
                if (args.size() >= 2) {
                    select(nsp, args.size() > 2 ? args.get(2) : null).socketsJoin(args.get(1).asText());
                }
            }
            case "leave" -> {
                if (args.size() >= 2) {
                    select(nsp, args.size() > 2 ? args.get(2) : null).socketsLeave(args.get(1).asText());
                }
            }
            case "_disconnect" -> select(nsp, args.size() > 2 ? args.get(2) : null)
                    .disconnectSockets(args.size() > 1 && args.get(1).asBoolean());
            default -> {
            }
        }
    }

    /** The namespace's sockets, or those of a room (a socket id is a room) when the UI gives one. */
    private BroadcastOperator select(String nsp, JsonNode filter) {
        BroadcastOperator namespace = server.of(nsp);
        boolean given = filter != null && !filter.isNull() && !filter.asText().isEmpty();
        return given ? namespace.in(filter.asText()) : namespace;
    }

    // ---- statistics

    private void emitStats() {
        ObjectNode stats = serverBase.deepCopy();
        stats.put("uptime", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        stats.put("clientsCount", figures.clientsCount());
        stats.put("pollingClientsCount", figures.pollingClientsCount());
        stats.set("aggregatedEvents", aggregated.drain());
        ArrayNode namespaces = stats.putArray("namespaces");
        figures.socketsByNamespace().forEach((name, count) -> namespaces.addObject().put("name", name)
                .put("socketsCount", count));
        // beyond Node's fields, which the UI keeps and does not show: what the limits did so far (overload.adoc)
        stats.set("limits", json.valueToTree(figures.limits(loginFigures())));
        admin.emit("server_stats", stats);
    }

    // ---- SocketObserver: every socket of this server

    @Override
    public void connected(SocketIoSocket socket, String connectionId) {
        boolean ui = adminName.equals(socket.namespace());
        if (!development && !ui) {
            // production mode shows no socket: nothing to record
            return;
        }
        Object previous = socket.data().get(SocketView.ADMIN_KEY);
        writingOwnData.set(Boolean.TRUE);
        try {
            socket.data().put(SocketView.ADMIN_KEY, SocketView.adminData(connectionId, socket.transport()));
        } finally {
            writingOwnData.remove();
        }
        if (ui) {
            adminConnected(socket, previous instanceof Map<?, ?> m ? m.get(SESSION_KEY) : null);
        }
        if (!development) {
            return;
        }
        admin.emit("socket_connected", SocketView.of(socket, json), now());
        if (!ui) {
            String nsp = socket.namespace();
            String id = socket.id();
            socket.onAny((event, args) -> admin.emit("event_received", nsp, id, eventArgs(event, args), now()));
            socket.onAnyOutgoing((event, args) -> admin.emit("event_sent", nsp, id, eventArgs(event, args), now()));
        }
    }

    @Override
    public void disconnected(SocketIoSocket socket, String reason) {
        if (development) {
            admin.emit("socket_disconnected", socket.namespace(), socket.id(), reason, now());
        }
    }

    @Override
    public void upgraded(SocketIoSocket socket, String transport) {
        if (!development) {
            return;
        }
        Map<String, Object> updated = afterUpgrade(socket.data().get(SocketView.ADMIN_KEY), transport);
        if (updated == null) {
            return;
        }
        writingOwnData.set(Boolean.TRUE);
        try {
            socket.data().put(SocketView.ADMIN_KEY, updated);
        } finally {
            writingOwnData.remove();
        }
        admin.emit("socket_updated", json.createObjectNode().put("id", socket.id()).put("nsp", socket.namespace())
                .put("transport", transport));
    }

    /**
     * The view's data of a socket whose connection upgraded to {@code transport}, or null to leave it: a UI socket
     * not yet seen by {@link #connected} still carries its login's session there, which {@code connected} sends the
     * UI (it records the transport then).
     */
    static Map<String, Object> afterUpgrade(Object current, String transport) {
        if (current instanceof Map<?, ?> m && m.containsKey(SESSION_KEY)) {
            return null;
        }
        String clientId = current instanceof Map<?, ?> m ? String.valueOf(m.get("clientId")) : "";
        return SocketView.adminData(clientId, transport);
    }

    @Override
    public void dataChanged(SocketIoSocket socket) {
        if (development && writingOwnData.get() == null) {
            ObjectNode update = json.createObjectNode().put("id", socket.id()).put("nsp", socket.namespace());
            update.set("data", SocketView.data(socket.data(), json));
            admin.emit("socket_updated", update);
        }
    }

    private void roomChanged(RoomEvent event) {
        switch (event.kind()) {
            case JOINED -> admin.emit("room_joined", event.namespace(), event.room(), event.socketId(), now());
            case LEFT -> admin.emit("room_left", event.namespace(), event.room(), event.socketId(), now());
            default -> {
            }
        }
    }

    private ArrayNode eventArgs(String event, List<JsonNode> args) {
        ArrayNode all = json.createArrayNode().add(event);
        all.addAll(args);
        return all;
    }

    /** A JavaScript {@code Date} as JSON carries it. */
    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
