package dev.qsio.runtime.engine;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.qsio.ConnectionError;
import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.devmode.SocketIoHotReplacement;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
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
    private final HandshakeFilter filter;
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
    /** Sessions owned by other servers of the cluster; null for a single process. */
    private final RemoteSessions remote;
    private final EnginePeers peers;
    /** Whether an HTTP connection ends after each Engine.IO response ({@link EnginePeers#closesIdleConnections()}). */
    private final boolean closesIdleConnections;
    /** Told of every refused request (Node's {@code connection_error}). */
    private final Consumer<ConnectionError> refusals;

    /**
     * A server at {@code path}. In a cluster ({@link EnginePeers#clustered()}), unknown session ids are looked up on
     * the other servers, and a new polling session is handed to the application after {@code delayedConnectionMs}
     * (so that an upgrade landing elsewhere may take it over).
     */
    public EngineServer(String path, Vertx vertx, EngineOptions options, SessionHandler<C> handler,
            HandshakeFilter filter, EnginePeers peers, long responseTimeoutMs, long delayedConnectionMs,
            Consumer<ConnectionError> refusals) {
        this.refusals = refusals;
        this.path = path;
        this.vertx = vertx;
        this.options = options;
        this.handler = handler;
        this.filter = filter;
        this.peers = peers;
        this.closesIdleConnections = peers.closesIdleConnections();
        this.remote = peers.clustered() ? new RemoteSessions(this, peers, responseTimeoutMs, delayedConnectionMs) : null;
    }

    public String path() {
        return path;
    }

    Vertx vertx() {
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
     * the end of the connection after it (see {@link EnginePeers#closesIdleConnections()}).
     */
    void prepare(HttpServerRequest request, HttpServerResponse response) {
        cors().apply(request, response);
        if (closesIdleConnections && !request.isSSL() && request.version() == HttpVersion.HTTP_1_1) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
            // Vert.x keeps a connection its client asked to keep, whatever the response says
            response.endHandler(v -> request.connection().close());
        }
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
        sessions.remove(session.id(), session);
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

    RemoteSessions remote() {
        return remote;
    }

    /** A message from the engine of another server. */
    public void onClusterMessage(String from, Buffer message) {
        RemoteSessions r = remote;
        if (r == null) {
            return;
        }
        try {
            r.onMessage(from, new EngineWire.Reader(message));
        } catch (IOException e) {
            LOG.debugf("bad engine message from %s: %s", from, e.getMessage());
        }
    }

    /** A server left the cluster. */
    public void onMemberLeft(String member) {
        RemoteSessions r = remote;
        if (r != null) {
            r.onMemberLeft(member);
        }
    }

    /** The path a cluster message is for. */
    public static String pathOf(Buffer message) {
        try {
            return new EngineWire.Reader(message).path;
        } catch (IOException e) {
            return null;
        }
    }

    /** Takes over a session from another server: its client upgraded to a WebSocket here. */
    void adopt(String sid, HandshakeRequest handshake, boolean eio3, ServerWebSocket ws, List<EnginePacket> clientPackets) {
        EngineSession<C> session = new EngineSession<>(this, sid, handshake, eio3);
        if (sessions.putIfAbsent(sid, session) != null) {
            ws.close();
            return;
        }
        WebSocketTransport transport = new WebSocketTransport(session, ws);
        try {
            wire(session, transport, false);
        } catch (IllegalStateException closed) {
            // Vert.x refuses handlers on a closed WebSocket: its client closed it while the former owner answered, and
            // the application never saw the session
            LOG.debugf("session %s: its WebSocket closed before it was taken over", sid);
            sessions.remove(sid, session);
            return;
        }
        session.startAdopted(transport, clientPackets);
        ws.resume();
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() == HttpMethod.OPTIONS && cors().preflight(request, request.response())) {
            return;
        }
        String transport = Query.param(request, "transport");
        boolean websocket = isWebSocketUpgrade(request);

        // the checks and their order follow the reference server's verify()
        if (transport == null || !options.allows(transport)) {
            refuse(request, EngineError.UNKNOWN_TRANSPORT);
            return;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null && hasInvalidHeaderChar(origin)) {
            refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        String sid = Query.param(request, "sid");
        if (sid != null) {
            EngineSession<C> session = sessions.get(sid);
            if (session == null) {
                if (!websocket && request.method() == HttpMethod.GET && crossedClose(sid)) {
                    PollingTransport.respond(this, request, List.of(EnginePacket.NOOP));
                    return;
                }
                RemoteSessions r = remote;
                if (r != null && sid.length() == 20) {
                    r.handleUnknown(request, sid, transport, websocket, identityOf(ctx));
                } else {
                    refuse(request, EngineError.UNKNOWN_SID);
                }
                return;
            }
            if (websocket) {
                upgrade(request, session, transport);
            } else if (!transport.equals(session.transport())) {
                refuse(request, EngineError.BAD_REQUEST);
            } else if (request.method() == HttpMethod.GET) {
                session.onPoll(request);
            } else if (request.method() == HttpMethod.POST) {
                onData(request, session);
            } else {
                refuse(request, EngineError.BAD_REQUEST);
            }
            return;
        }
        if (request.method() != HttpMethod.GET) {
            refuse(request, EngineError.BAD_HANDSHAKE_METHOD);
            return;
        }
        if ("websocket".equals(transport) && !websocket) {
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
        if (!accepting) {
            refuse(request, EngineError.FORBIDDEN, "Server is shutting down");
            return;
        }
        if (sessions.size() >= options.maxConnections()) {
            stats.handshakesRefused.increment();
            answerRefusal(request, 503, EngineError.FORBIDDEN.code, "Server at capacity");
            return;
        }
        SecurityIdentity known = identityOf(ctx);
        Uni<SecurityIdentity> deferred = known == null ? ctx.get(QuarkusHttpUser.DEFERRED_IDENTITY_KEY) : null;
        if (deferred == null) {
            accept(request, capture(request, known), websocket, revision == 3);
            return;
        }
        // lazy authentication (quarkus.http.auth.proactive=false): the identity is established now, the request
        // waiting meanwhile; credentials that fail get 401, as for any other route
        request.pause();
        deferred.subscribe().with(identity -> {
            request.resume();
            accept(request, capture(request, identity), websocket, revision == 3);
        }, failure -> {
            request.resume();
            LOG.debugf("authentication of a handshake failed: %s", failure.getMessage());
            answerRefusal(request, 401, EngineError.FORBIDDEN.code, "Unauthorized");
        });
    }

    /** The identity the HTTP authentication established for a request (proactive authentication), or null. */
    static SecurityIdentity identityOf(RoutingContext ctx) {
        return ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
    }

    /** The rest of a handshake, once the request's identity is known. */
    private void accept(HttpServerRequest request, HandshakeRequest handshake, boolean websocket, boolean eio3) {
        if (filter != null) {
            HandshakeFilter.Decision decision;
            try {
                decision = filter.check(handshake);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Handshake filter failed; refusing the request");
                decision = HandshakeFilter.Decision.refuse("Forbidden");
            }
            if (decision == null || !decision.allowed()) {
                refuse(request, EngineError.FORBIDDEN, decision == null ? null : decision.message());
                return;
            }
        }
        if (options.handshakeCookie() != null) {
            request.response().putHeader(HttpHeaders.SET_COOKIE, options.handshakeCookie());
        }
        if (websocket) {
            options.compression().accept(request).onComplete(ar -> {
                if (ar.succeeded()) {
                    open(handshake, eio3, ar.result());
                } else {
                    LOG.debugf("WebSocket handshake failed: %s", ar.cause().getMessage());
                }
            });
        } else {
            EngineSession<C> session = newSession(handshake, eio3);
            PollingTransport polling = new PollingTransport(session);
            polling.park(request, Query.param(request, "t"));
            stats.handshakesAccepted.increment();
            RemoteSessions r = remote;
            session.start(polling, r == null ? 0 : r.delayedConnectionMs);
        }
    }

    private void open(HandshakeRequest handshake, boolean eio3, ServerWebSocket ws) {
        EngineSession<C> session = newSession(handshake, eio3);
        WebSocketTransport transport = new WebSocketTransport(session, ws);
        wire(session, transport, true);
        stats.handshakesAccepted.increment();
        session.start(transport);
    }

    private void upgrade(HttpServerRequest request, EngineSession<C> session, String transport) {
        if (!"websocket".equals(transport) || !options.upgradesOffered()) {
            refuse(request, EngineError.BAD_REQUEST);
            return;
        }
        options.compression().accept(request).onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("WebSocket upgrade of session %s failed: %s", session.id(), ar.cause().getMessage());
                return;
            }
            ServerWebSocket ws = ar.result();
            WebSocketTransport t = new WebSocketTransport(session, ws);
            if (!session.beginUpgrade(t)) {
                // the session upgrades or has upgraded on another WebSocket (or has closed): as the reference server
                // does, this one is accepted and closed, and the session goes on undisturbed
                LOG.debugf("second WebSocket for session %s closed", session.id());
                ws.close();
                return;
            }
            wire(session, t, true);
        });
    }

    /**
     * Connects a WebSocket to its session: its messages become packets, its end the transport's. A WebSocket of this
     * server's own (not adopted from another) is served from its channel from then on where it can be
     * ({@link ChannelWebSocket}); an adopted one stays with the HTTP server's WebSocket, which holds its frames while it
     * is paused.
     */
    private void wire(EngineSession<C> session, WebSocketTransport transport, boolean detachable) {
        ServerWebSocket ws = transport.ws;
        WebSocketMessages messages = new WebSocketMessages(transport::close, options.maxHttpBufferSize(), text -> {
            SocketIoHotReplacement.messageReceived();
            stats.bytesIn(text.length());
            EnginePacket packet;
            try {
                packet = EngineCodec.decode(text);
            } catch (MalformedPacketException e) {
                session.onError(e.getMessage());
                return;
            }
            session.onPacket(transport, packet);
        }, data -> {
            stats.bytesIn(data.length());
            EnginePacket packet;
            try {
                packet = session.eio3 ? Eio3Codec.decodeFrame(data) : EnginePacket.message(data);
            } catch (MalformedPacketException e) {
                session.onError(e.getMessage());
                return;
            }
            session.onPacket(transport, packet);
        }, code -> session.onTransportClosed(transport, "transport error"));
        if (detachable && transport.detach(messages, reason -> session.onTransportClosed(transport, reason))) {
            return;
        }
        WebSocketMessages.read(ws, messages);
        ws.closeHandler(v -> session.onTransportClosed(transport, "transport close"));
        ws.exceptionHandler(e -> {
            LOG.debugf("WebSocket of session %s failed: %s", session.id(), e.getMessage());
            session.onTransportClosed(transport, "transport error");
        });
    }

    private void onData(HttpServerRequest request, EngineSession<C> session) {
        PollingTransport polling = session.beginData(request);
        if (polling == null) {
            // a second concurrent POST (or a session that changed transport): refused, and the session ends
            refuse(request, EngineError.BAD_REQUEST);
            session.onClose("transport error");
            return;
        }
        RequestBody.read(vertx, request, options.maxHttpBufferSize(), options.pollingBodyTimeoutMs(), body -> {
            polling.endData();
            stats.bytesIn(body.length());
            List<EnginePacket> packets;
            try {
                packets = decodePayload(request, body);
            } catch (MalformedPacketException e) {
                refuse(request, EngineError.BAD_REQUEST);
                session.onError(e.getMessage());
                return;
            }
            for (EnginePacket packet : packets) {
                session.onPacket(polling, packet);
            }
            HttpServerResponse response = request.response();
            prepare(request, response);
            response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html").end("ok");
        }, failure -> {
            polling.endData();
            bodyRefused(request, failure);
            session.onClose("transport error");
        });
    }

    /** Answers a POST whose body was refused; the connection is closed after the answer. */
    void bodyRefused(HttpServerRequest request, RequestBody.Failure failure) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        prepare(request, response);
        response.setStatusCode(failure.status).putHeader(HttpHeaders.CONNECTION, "close").end();
    }


    /** Whether a request comes from a client of protocol revision 3 (its {@code EIO} parameter, on every request). */
    static boolean eio3(HttpServerRequest request) {
        return "3".equals(Query.param(request, "EIO"));
    }

    /** The packets of a POST body, in the framing of the client's protocol revision. */
    static List<EnginePacket> decodePayload(HttpServerRequest request, Buffer body) throws MalformedPacketException {
        if (Jsonp.callback(request) != null) {
            String text = Jsonp.payload(body);
            return eio3(request) ? Eio3Codec.decodeTextPayload(text) : EngineCodec.decodePayload(text);
        }
        if (eio3(request)) {
            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
            return Eio3Codec.decodePayload(body, type != null && type.regionMatches(true, 0, Eio3Codec.OCTET_STREAM, 0,
                    Eio3Codec.OCTET_STREAM.length()));
        }
        return EngineCodec.decodePayload(EngineCodec.text(body));
    }

    private EngineSession<C> newSession(HandshakeRequest handshake, boolean eio3) {
        while (true) {
            String sid = peers.newSessionId();
            EngineSession<C> session = new EngineSession<>(this, sid, handshake, eio3);
            if (sessions.putIfAbsent(sid, session) == null) {
                return session;
            }
        }
    }

    String openPayload(String sid, Transport transport) {
        // written by hand: a handshake builds no JSON tree (Jackson was 6% of a handshake's samples)
        StringBuilder sb = new StringBuilder(128).append("{\"sid\":");
        JsonText.appendString(sb, sid)
                .append(transport instanceof PollingTransport && options.upgradesOffered()
                        ? ",\"upgrades\":[\"websocket\"]"
                        : ",\"upgrades\":[]")
                .append(",\"pingInterval\":").append(options.pingIntervalMs())
                .append(",\"pingTimeout\":").append(options.pingTimeoutMs())
                .append(",\"maxPayload\":").append(options.maxHttpBufferSize());
        return sb.append('}').toString();
    }

    void refuse(HttpServerRequest request, EngineError error) {
        refuse(request, error, null);
    }

    void refuse(HttpServerRequest request, EngineError error, String message) {
        if (Query.param(request, "sid") == null) {
            stats.handshakesRefused.increment();
        }
        answerRefusal(request, error.status(), error.code, message == null ? error.message : message);
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

    /** Stops accepting handshakes and closes every session with {@code "server shutting down"}. */
    public void shutdown() {
        accepting = false;
        RemoteSessions r = remote;
        if (r != null) {
            r.closeAll();
        }
        for (EngineSession<C> session : new ArrayList<>(sessions.values())) {
            session.onClose("server shutting down");
        }
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && "websocket".equals(upgrade.toLowerCase(Locale.ROOT));
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

    static HandshakeRequest capture(HttpServerRequest request, SecurityIdentity identity) {
        return new HandshakeRequest(request.method().name(), request.path(), HandshakeMaps.headers(request.headers()),
                HandshakeMaps.query(request.query()),
                request.remoteAddress() == null ? null : request.remoteAddress().host() + ":" + request.remoteAddress().port(),
                request.isSSL(), Instant.now(), identity);
    }

}
