package dev.qsio.runtime.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.qsio.ConnectionError;
import dev.qsio.HandshakeRequest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;

/**
 * An Engine.IO v4 server on one path of the application's HTTP server: it checks each request as the reference
 * server does, opens sessions, and routes polling requests and WebSocket connections to them.
 */
public final class EngineServer<C> implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(EngineServer.class);

    private final String path;
    private final Vertx vertx;
    private final EngineOptions options;
    private final SessionHandler<C> handler;
    private final HandshakeFilters filters;
    private final Map<String, EngineSession<C>> sessions = new ConcurrentHashMap<>();
    /**
     * Polling sessions that their client closed (a CLOSE packet) while no GET waited, with when: the GET the client
     * had sent just before may still be on its way, and gets the NOOP it would have had. Bounded in age and count.
     */
    private final Map<String, Long> closedByClient = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CLOSED_BY_CLIENT_KEPT;
        }
    };
    private static final int CLOSED_BY_CLIENT_KEPT = 10_000;
    private static final long CROSSED_GET_WINDOW_NANOS = 5_000_000_000L;
    private final EngineStats stats = new EngineStats();
    private volatile boolean accepting = true;
    /** The other servers of a cluster, as this server reaches them ({@link OtherServers#NONE} in a single process). */
    private final OtherServers others;
    /** Whether an HTTP connection ends after each Engine.IO response ({@link OtherServers#closesIdleConnections()}). */
    private final boolean closesIdleConnections;
    /** Told of every refused request (Node's {@code connection_error}). */
    private final Consumer<ConnectionError> refusals;
    /** The handshakes and sessions of each remote address, against {@code quarkus.socketio.limits}. */
    private final AddressLimits addressLimits;
    /** Set once as the server is made, before it serves (published with it by {@link EngineEndpoints}). */
    private EngineMiddlewares middlewares = EngineMiddlewares.NONE;

    /**
     * A server at {@code path}, whose handshakes pass the application's {@code filters} (null: none). In a cluster,
     * {@code others} gives this server its view of the other servers: the requests for sessions it does not have go to
     * them.
     */
    public EngineServer(String path, Vertx vertx, EngineOptions options, SessionHandler<C> handler,
            HandshakeFilters filters, OtherServers.Factory others, Consumer<ConnectionError> refusals) {
        this.refusals = refusals;
        this.path = path;
        this.vertx = vertx;
        this.options = options;
        this.addressLimits = new AddressLimits(options.addressLimits());
        this.handler = handler;
        this.filters = filters == null ? HandshakeFilters.NONE : filters;
        this.others = others.of(this);
        this.closesIdleConnections = this.others.closesIdleConnections();
    }

    public String path() {
        return path;
    }

    public Vertx vertx() {
        return vertx;
    }

    public EngineOptions options() {
        return options;
    }

    SessionHandler<C> handler() {
        return handler;
    }

    Cors cors() {
        return options.cors();
    }

    /**
     * The headers every Engine.IO response carries: CORS, and where this server is a worker of a host of several,
     * the end of the connection after it (see {@link OtherServers#closesIdleConnections()}).
     */
    public void prepare(HttpServerRequest request, HttpServerResponse response) {
        cors().apply(request, response);
        if (closesIdleConnections && !request.isSSL() && request.version() == HttpVersion.HTTP_1_1) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
            // Vert.x keeps a connection its client asked to keep, whatever the response says
            response.endHandler(v -> request.connection().close());
        }
    }

    /** The application's engine middlewares, which every request of this server goes through (none by default). */
    EngineServer<C> middlewares(EngineMiddlewares middlewares) {
        this.middlewares = middlewares;
        return this;
    }

    EngineMiddlewares middlewares() {
        return middlewares;
    }

    /** The limits per remote address of this server's handshakes. */
    AddressLimits addressLimits() {
        return addressLimits;
    }

    public EngineStats stats() {
        return stats;
    }

    public boolean accepting() {
        return accepting;
    }

    /** The open sessions. */
    public Collection<EngineSession<C>> sessions() {
        return sessions.values();
    }

    public EngineSession<C> session(String sid) {
        return sessions.get(sid);
    }

    void remove(EngineSession<?> session) {
        if (sessions.remove(session.id(), session) && session.addressEntry != null) {
            addressLimits.closed(session.addressEntry);
        }
    }

    /** The client of a polling session closed it while no GET waited (see {@link #closedByClient}). */
    void closedByClient(String sid) {
        synchronized (closedByClient) {
            closedByClient.put(sid, System.nanoTime());
        }
    }

    /** Whether a GET for an unknown session is the one that crossed its client's CLOSE; at most one is. */
    private boolean crossedClose(String sid) {
        Long at;
        synchronized (closedByClient) {
            at = closedByClient.remove(sid);
        }
        return at != null && System.nanoTime() - at < CROSSED_GET_WINDOW_NANOS;
    }

    /**
     * Whether other servers exist (a cluster): each session then holds a {@link SessionLease}, through which they reach
     * it.
     */
    boolean clustered() {
        return others != OtherServers.NONE;
    }

    /** How long a new session of a request-based transport waits before the application gets it (see {@link OtherServers}). */
    long delayedConnectionMs() {
        return others.delayedConnectionMs();
    }

    /** Takes over a session from another server: its client upgraded to a WebSocket here. */
    public void adopt(String sid, HandshakeRequest handshake, boolean eio3, ServerWebSocket ws,
            List<EnginePacket> clientPackets) {
        EngineSession<C> session = new EngineSession<>(this, sid, handshake, eio3);
        if (sessions.putIfAbsent(sid, session) != null) {
            ws.close();
            return;
        }
        if (!WebSocketTransport.adopt(session, ws, clientPackets)) {
            // its client closed the WebSocket while the former owner answered, and the application never saw the session
            LOG.debugf("session %s: its WebSocket closed before it was taken over", sid);
            sessions.remove(sid, session);
        }
    }

    /**
     * A session taken over from another server by an upgrade to WebTransport that reached this one: its stream is the
     * session's transport from now on.
     */
    public void adopt(String sid, HandshakeRequest handshake, UpgradeStream stream, List<EnginePacket> clientPackets) {
        EngineSession<C> session = new EngineSession<>(this, sid, handshake, false);
        if (sessions.putIfAbsent(sid, session) != null) {
            stream.close();
            return;
        }
        stream.adopt(session, clientPackets, () -> {
            // its client closed the session while the former owner answered, and the application never saw it
            LOG.debugf("session %s: its WebTransport stream closed before it was taken over", sid);
            sessions.remove(sid, session);
        });
    }

    /** A WebTransport upgrade of a session this server does not have: false when no other server has it either. */
    boolean serveElsewhere(String sid, UpgradeStream stream) {
        return others.serve(sid, stream);
    }

    /**
     * A request at this server's path: a preflight, a request of a session (here or on another server), or a
     * handshake. The checks and their order follow the reference server's {@code verify()}.
     */
    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() == HttpMethod.OPTIONS && cors().preflight(request, request.response())) {
            return;
        }
        EngineMiddlewares m = middlewares;
        if (m.present()) {
            m.run(ctx, () -> dispatch(ctx), () -> refuse(request, EngineError.BAD_REQUEST));
        } else {
            dispatch(ctx);
        }
    }

    /** A request that went through the application's engine middlewares: to a session, or a handshake. */
    private void dispatch(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String name = Query.param(request, "transport");
        TransportKind kind = name == null ? null : options.transport(name);
        if (kind == null) {
            refuse(request, EngineError.UNKNOWN_TRANSPORT);
            return;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null && hasInvalidHeaderChar(origin)) {
            refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        // an HTTP upgrade: to a WebSocket (whatever the transport parameter says, which the checks compare)
        TransportKind upgradeTo = upgradeOf(request);
        String sid = Query.param(request, "sid");
        if (sid != null) {
            toSession(ctx, sid, kind, upgradeTo != null);
        } else {
            handshake(ctx, kind, upgradeTo, origin);
        }
    }

    /**
     * A request of session {@code sid} on {@code kind}: its transport serves it, or it upgrades the session; a
     * session this server does not have is served by the other servers, when one has it.
     */
    private void toSession(RoutingContext ctx, String sid, TransportKind kind, boolean upgrade) {
        HttpServerRequest request = ctx.request();
        EngineSession<C> session = sessions.get(sid);
        if (session == null) {
            if (!upgrade && request.method() == HttpMethod.GET && crossedClose(sid)) {
                PollingTransport.respond(this, request, List.of(EnginePacket.NOOP));
            } else if (!others.serve(request, sid, kind, upgrade, identityOf(ctx))) {
                refuse(request, EngineError.UNKNOWN_SID);
            }
            return;
        }
        if (upgrade) {
            if (kind.requestBased() || !options.allowUpgrades()) {
                refuse(request, EngineError.BAD_REQUEST);
            } else {
                kind.upgrade(this, session, request);
            }
        } else if (kind != session.kind()) {
            refuse(request, EngineError.BAD_REQUEST);
        } else {
            session.onRequest(request);
        }
    }

    /**
     * A handshake on {@code kind} ({@code upgradeTo}: the connection an HTTP upgrade asks for, or null): checked, held
     * to this server's limits, then accepted once the request's identity is known.
     */
    private void handshake(RoutingContext ctx, TransportKind kind, TransportKind upgradeTo, String origin) {
        HttpServerRequest request = ctx.request();
        if (request.method() != HttpMethod.GET) {
            refuse(request, EngineError.BAD_HANDSHAKE_METHOD);
            return;
        }
        if (!kind.requestBased() && !kind.isUpgrade(request)) {
            refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        int revision = options.revision(Query.param(request, "EIO"));
        if (revision < 0) {
            refuse(request, EngineError.UNSUPPORTED_PROTOCOL_VERSION);
            return;
        }
        if (!cors().originAllowed(origin)) {
            refuse(request, EngineError.FORBIDDEN, "Origin not allowed");
            return;
        }
        if (closedTo(request)) {
            return;
        }
        AddressLimits.Entry[] address = new AddressLimits.Entry[1];
        if (!admitAddress(request, address)) {
            return;
        }
        whenIdentified(ctx, upgradeTo != null ? upgradeTo : kind, revision == 3, address[0]);
    }

    /** Refuses a handshake while this server drains or is at capacity: true when it did. */
    private boolean closedTo(HttpServerRequest request) {
        if (!accepting) {
            refuse(request, EngineError.FORBIDDEN, "Server is shutting down");
            return true;
        }
        if (sessions.size() >= options.maxConnections()) {
            stats.increment(EngineFigure.HANDSHAKES_REFUSED);
            logAtCapacity();
            answerRefusal(request, 503, EngineError.FORBIDDEN.code, "Server at capacity");
            return true;
        }
        return false;
    }

    /**
     * Holds a handshake to the limits of its remote address: false when they refuse it (answered with 429), else the
     * entry it counts against is left in {@code address} (null when the limits per address are off, or it has none).
     */
    private boolean admitAddress(HttpServerRequest request, AddressLimits.Entry[] address) {
        String from = addressLimits.enabled() ? hostOf(request) : null;
        if (from == null) {
            return true;
        }
        AddressLimits.Refusal refusal = addressLimits.admit(from, address, request.headers());
        if (refusal == null) {
            return true;
        }
        stats.increment(EngineFigure.HANDSHAKES_REFUSED);
        stats.increment(refusal.reason().figure);
        request.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(refusal.retryAfterSeconds()));
        answerRefusal(request, 429, EngineError.FORBIDDEN.code, refusal.reason().message);
        return false;
    }

    /**
     * Filters a handshake once its identity is known: at once under proactive authentication; under lazy
     * authentication ({@code quarkus.http.auth.proactive=false}) once it is established, the request waiting
     * meanwhile ({@link HeldRequest}), and credentials that fail get 401, as for any other route.
     */
    private void whenIdentified(RoutingContext ctx, TransportKind transport, boolean eio3, AddressLimits.Entry entry) {
        HttpServerRequest request = ctx.request();
        SecurityIdentity known = identityOf(ctx);
        Uni<SecurityIdentity> deferred = known == null ? ctx.get(QuarkusHttpUser.DEFERRED_IDENTITY_KEY) : null;
        if (deferred == null) {
            filter(request, capture(request, known), transport, eio3, entry, null);
            return;
        }
        HeldRequest held = new HeldRequest(this, request);
        held.await(deferred, identity -> filter(request, capture(request, identity), transport, eio3, entry, held),
                failure -> {
                    if (held.release()) {
                        LOG.debugf("authentication of a handshake failed: %s", failure.getMessage());
                        answerRefusal(request, 401, EngineError.FORBIDDEN.code, "Unauthorized");
                    }
                });
    }

    /**
     * Asks the application's filters about a handshake: the synchronous ones at once, then the asynchronous ones, the
     * request waiting for them ({@code held}: already waiting, for its identity; else null).
     */
    private void filter(HttpServerRequest request, HandshakeRequest handshake, TransportKind transport, boolean eio3,
            AddressLimits.Entry entry, HeldRequest held) {
        HandshakeFilters.Verdict now = filters.decideNow(handshake);
        if (!now.allowed() || !filters.waits()) {
            if (held == null || held.release()) {
                accept(request, handshake, transport, eio3, entry, now, held != null);
            }
            return;
        }
        HeldRequest waiting = held != null ? held : new HeldRequest(this, request);
        waiting.await(filters.decideLater(handshake, waiting, verdict -> {
            if (waiting.release()) {
                accept(request, handshake, transport, eio3, entry, verdict, true);
            }
        }));
    }

    /** The identity the HTTP authentication established for a request (proactive authentication), or null. */
    static SecurityIdentity identityOf(RoutingContext ctx) {
        return ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
    }

    /**
     * The rest of a handshake, once the filters' {@code verdict} is known: a session opens on {@code transport},
     * counted against its address's {@code entry} (null when the limits per address are off). A handshake that
     * {@code waited} is held again to the server's state, which may have changed meanwhile.
     */
    private void accept(HttpServerRequest request, HandshakeRequest handshake, TransportKind transport, boolean eio3,
            AddressLimits.Entry entry, HandshakeFilters.Verdict verdict, boolean waited) {
        if (!verdict.allowed()) {
            stats.increment(EngineFigure.HANDSHAKES_REFUSED);
            stats.increment(verdict.figure());
            if (verdict.retryAfterSeconds() > 0) {
                request.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(verdict.retryAfterSeconds()));
            }
            answerRefusal(request, verdict.status(), EngineError.FORBIDDEN.code, verdict.message());
            return;
        }
        if (waited && closedTo(request)) {
            return;
        }
        if (options.handshakeCookie() != null) {
            // beside the cookies a route of the application set before (Node's initial_headers)
            request.response().headers().add(HttpHeaders.SET_COOKIE, options.handshakeCookie());
        }
        transport.open(this, request, handshake, eio3, entry);
    }

    /**
     * A handshake that came on a connection of its own rather than in an HTTP request (WebTransport's first stream),
     * on {@code loop}: the checks of {@link #handshake} that apply to it, the limits per address, then the filters;
     * once they pass, a session opens on the transport {@code connect} makes for it, else {@code refused} gets why.
     * Either comes on {@code loop}, at once or once the asynchronous filters have decided. Returns null when decided at
     * once, else what to run when the connection closes meanwhile (the decision is then abandoned: nothing opens).
     */
    Runnable handshakeOn(HandshakeRequest handshake, MultiMap headers, String host, HandshakeFilters.Loop loop,
            Function<EngineSession<C>, Transport> connect, Consumer<String> refused) {
        AddressLimits.Entry[] address = new AddressLimits.Entry[1];
        AddressLimits.Refusal limited = null;
        String refusal = refusalOf(headers);
        if (refusal == null && addressLimits.enabled() && host != null) {
            limited = addressLimits.admit(host, address, headers);
            refusal = limited == null ? null : limited.reason().message;
        }
        if (refusal != null) {
            stats.increment(EngineFigure.HANDSHAKES_REFUSED);
            if (limited != null) {
                stats.increment(limited.reason().figure);
            }
            refused.accept(refusal);
            return null;
        }
        HandshakeFilters.Verdict now = filters.decideNow(handshake);
        if (!now.allowed() || !filters.waits()) {
            filteredOn(handshake, headers, address[0], now, false, connect, refused);
            return null;
        }
        stats.add(EngineFigure.HANDSHAKES_WAITING, 1);
        HandshakeFilters.Pending pending = filters.decideLater(handshake, loop, verdict -> {
            stats.add(EngineFigure.HANDSHAKES_WAITING, -1);
            filteredOn(handshake, headers, address[0], verdict, true, connect, refused);
        });
        return () -> {
            if (pending.abandon()) {
                stats.add(EngineFigure.HANDSHAKES_WAITING, -1);
                stats.increment(EngineFigure.HANDSHAKES_ABANDONED);
            }
        };
    }

    /** The rest of {@link #handshakeOn} once the filters' {@code verdict} is known. */
    private void filteredOn(HandshakeRequest handshake, MultiMap headers, AddressLimits.Entry entry,
            HandshakeFilters.Verdict verdict, boolean waited, Function<EngineSession<C>, Transport> connect,
            Consumer<String> refused) {
        // a handshake that waited is held again to the server's state, which may have changed meanwhile
        String refusal = !verdict.allowed() ? verdict.message() : waited ? refusalOf(headers) : null;
        if (refusal != null) {
            stats.increment(EngineFigure.HANDSHAKES_REFUSED);
            if (!verdict.allowed()) {
                stats.increment(verdict.figure());
            }
            refused.accept(refusal);
            return;
        }
        EngineSession<C> session = newSession(handshake, false, entry);
        Transport transport = connect.apply(session);
        stats.increment(EngineFigure.HANDSHAKES_ACCEPTED);
        session.start(transport, 0);
    }

    /** The checks of {@link #handshake} that a handshake on a connection of its own passes first. */
    private String refusalOf(MultiMap headers) {
        String origin = headers.get(HttpHeaders.ORIGIN);
        if (origin != null && hasInvalidHeaderChar(origin)) {
            return "Bad request";
        } else if (!cors().originAllowed(origin)) {
            return "Origin not allowed";
        } else if (!accepting) {
            return "Server is shutting down";
        } else if (sessions.size() >= options.maxConnections()) {
            logAtCapacity();
            return "Server at capacity";
        }
        return null;
    }

    /**
     * The address of a request's client, as the limits per address count it: the peer's IP address, or the one the
     * HTTP server took from a trusted proxy's headers ({@code quarkus.http.proxy}); null when it has none (a Unix
     * domain socket).
     */
    private static String hostOf(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        if (remote == null) {
            return null;
        }
        String ip = remote.hostAddress();
        return ip != null ? ip : remote.host();
    }

    /** The transport an HTTP upgrade request asks for, or null when it is none. */
    private static TransportKind upgradeOf(HttpServerRequest request) {
        for (TransportKind kind : Transports.ALL) {
            if (kind.isUpgrade(request)) {
                return kind;
            }
        }
        return null;
    }

    /** Answers a POST whose body was refused; the connection is closed after the answer. */
    public void bodyRefused(HttpServerRequest request, RequestBody.Failure failure) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        prepare(request, response);
        response.setStatusCode(failure.status).putHeader(HttpHeaders.CONNECTION, "close").end();
    }

    /** A new session, counted against its address's {@code entry} when not null (see {@link #accept}). */
    EngineSession<C> newSession(HandshakeRequest handshake, boolean eio3, AddressLimits.Entry entry) {
        while (true) {
            String sid = others.newSessionId();
            EngineSession<C> session = new EngineSession<>(this, sid, handshake, eio3);
            if (sessions.putIfAbsent(sid, session) == null) {
                if (entry != null) {
                    session.addressEntry = addressLimits.opened(entry);
                }
                return session;
            }
        }
    }

    String openPayload(String sid, Transport transport) {
        // written by hand: a handshake builds no JSON tree
        StringBuilder sb = new StringBuilder(128).append("{\"sid\":");
        JsonText.appendString(sb, sid).append(",\"upgrades\":[");
        List<TransportKind> upgrades = options.upgrades(transport.kind());
        if (middlewares.present() && upgrades.contains(WebTransportTransport.KIND)) {
            // refused while the application has engine middlewares: not offered
            upgrades = upgrades.stream().filter(k -> k != WebTransportTransport.KIND).toList();
        }
        for (int i = 0; i < upgrades.size(); i++) {
            JsonText.appendString(i == 0 ? sb : sb.append(','), upgrades.get(i).name());
        }
        sb.append(']')
                .append(",\"pingInterval\":").append(options.pingIntervalMs())
                .append(",\"pingTimeout\":").append(options.pingTimeoutMs())
                .append(",\"maxPayload\":").append(options.maxHttpBufferSize());
        return sb.append('}').toString();
    }

    public void refuse(HttpServerRequest request, EngineError error) {
        refuse(request, error, null);
    }

    void refuse(HttpServerRequest request, EngineError error, String message) {
        if (Query.param(request, "sid") == null) {
            stats.increment(EngineFigure.HANDSHAKES_REFUSED);
        }
        answerRefusal(request, error.status(), error.code, message == null ? error.message : message);
    }

    /** When a refusal at capacity was last logged (nanoTime), so that a storm logs once a minute. */
    private final AtomicLong capacityLogged = new AtomicLong(System.nanoTime() - CAPACITY_LOG_INTERVAL_NANOS);
    private static final long CAPACITY_LOG_INTERVAL_NANOS = 60_000_000_000L;

    private void logAtCapacity() {
        long now = System.nanoTime();
        long last = capacityLogged.get();
        if (now - last >= CAPACITY_LOG_INTERVAL_NANOS && capacityLogged.compareAndSet(last, now)) {
            LOG.warnf("Refusing handshakes with 503: this process holds %d sessions, its most "
                    + "(quarkus.socketio.max-connections; by default one per 8 KB of the maximum heap)",
                    options.maxConnections());
        }
    }

    /** Answers a refused request with its status and {@code {"code", "message"}}, and tells the observers. */
    private void answerRefusal(HttpServerRequest request, int status, int code, String message) {
        try {
            refusals.accept(new ConnectionError(code, message, status, request.method().name(), request.uri(),
                    String.valueOf(request.remoteAddress())));
        } catch (RuntimeException e) {
            LOG.debugf(e, "A ConnectionError observer failed");
        }
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        prepare(request, response);
        JsonObject body = new JsonObject().put("code", code).put("message", message);
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.encode());
    }

    /** Stops accepting handshakes and closes every session with {@code "server shutting down"}, at once. */
    public void shutdown() {
        accepting = false;
        others.shutdown();
        for (EngineSession<C> session : new ArrayList<>(sessions.values())) {
            session.onClose(SHUTTING_DOWN);
        }
    }

    static final String SHUTTING_DOWN = "server shutting down";
    /** How often a draining server closes its next sessions. */
    static final long SPREAD_TICK_MS = 20;

    /**
     * Stops accepting handshakes and closes every session gracefully with {@code "server shutting down"} (what was
     * sent before goes out before the close: a polling session's buffered packets with its next poll), spread evenly
     * over {@code spreadMs} in random order (all at once when under a tick), so that their clients do not all
     * reconnect to the other servers in the same instant. Completes once every session has ended; one whose client
     * does not poll again ends after the ping timeout.
     */
    public Future<Void> drain(long spreadMs) {
        accepting = false;
        others.shutdown();
        List<EngineSession<C>> open = new ArrayList<>(sessions.values());
        for (EngineSession<C> session : open) {
            // read without the session's monitor: the volatile copy (the field behind currentTransport() is the
            // monitor's)
            Transport t = session.current;
            if (t != null) {
                t.draining();
            }
        }
        Collections.shuffle(open);
        long ticks = Math.max(1, spreadMs / SPREAD_TICK_MS);
        Promise<Void> done = Promise.promise();
        int[] next = { 0 };
        long[] tick = { 0 };
        Handler<Long> step = id -> {
            tick[0]++;
            int until = (int) Math.min(open.size(), open.size() * tick[0] / ticks);
            for (; next[0] < until; next[0]++) {
                open.get(next[0]).close(SHUTTING_DOWN);
            }
            if (next[0] >= open.size() && sessions.isEmpty()) {
                vertx.cancelTimer(id);
                done.tryComplete();
            }
        };
        if (spreadMs < SPREAD_TICK_MS) {
            // at once: each session ends as soon as what it holds is written
            tick[0] = ticks - 1;
            step.handle(-1L);
        }
        if (!done.future().isComplete()) {
            vertx.setPeriodic(SPREAD_TICK_MS, step);
        }
        return done.future();
    }

    private static boolean hasInvalidHeaderChar(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return true;
            }
        }
        return false;
    }

    public static HandshakeRequest capture(HttpServerRequest request, SecurityIdentity identity) {
        return new HandshakeRequest(request.method().name(), request.path(), HandshakeMaps.headers(request.headers()),
                HandshakeMaps.query(request.query()),
                request.remoteAddress() == null ? null : request.remoteAddress().host() + ":" + request.remoteAddress().port(),
                request.isSSL(), Instant.now(), identity);
    }

}
