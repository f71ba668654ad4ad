package dev.qsio.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Connects Socket.IO clients to the application under test, in {@code @QuarkusTest}, {@code QuarkusUnitTest} and
 * {@code @QuarkusIntegrationTest} alike.
 * <p>
 * A connector holds what a client connects with: the server's URI, the namespace, the {@code auth} payload, headers,
 * query parameters and transports. It is immutable: each method returns a new connector, so one connector can serve
 * many tests and many clients. The client is the official Java client ({@code io.socket:socket.io-client}),
 * unmodified, with reconnection off so that a test sees every disconnect.
 *
 * <pre>
 * SocketIoConnector chat = SocketIoConnector.create().namespace("/chat");   // the application under test
 *
 * &#64;Test
 * void answers() {
 *     try (ClientSocket alice = chat.auth(Map.of("token", "t")).connectAndAwait()) {
 *         Received ack = alice.emitAndAwaitAck("message", new Message("hi"));
 *         assertTrue(ack.arg(0, Receipt.class).ok());
 *     }
 * }
 * </pre>
 *
 * To another server (one a test started itself, for example):
 * {@code SocketIoConnector.to(URI.create("http://localhost:8081/chat"))}.
 *
 * @see ClientSocket
 */
public final class SocketIoConnector {

    /** How long the {@code ...AndAwait} methods wait, unless {@link #timeout(Duration)} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final URI server;
    private final String namespace;
    private final String path;
    private final Map<String, String> auth;
    private final Map<String, List<String>> headers;
    private final Map<String, String> query;
    private final List<Transport> transports;
    private final boolean upgrade;
    private final Duration timeout;
    private final ObjectMapper mapper;

    private SocketIoConnector(URI server, String namespace, String path, Map<String, String> auth,
            Map<String, List<String>> headers, Map<String, String> query, List<Transport> transports, boolean upgrade,
            Duration timeout, ObjectMapper mapper) {
        this.server = server;
        this.namespace = namespace;
        this.path = path;
        this.auth = auth;
        this.headers = headers;
        this.query = query;
        this.transports = transports;
        this.upgrade = upgrade;
        this.timeout = timeout;
        this.mapper = mapper;
    }

    /**
     * A connector to the main namespace of the application under test: its test URL ({@code test.url}, which
     * Quarkus sets for {@code @QuarkusTest}, {@code QuarkusUnitTest} and {@code @QuarkusIntegrationTest} from
     * {@code quarkus.http.test-port} and {@code quarkus.http.root-path}), and its Engine.IO path under the root path
     * ({@code quarkus.socketio.path}). They are read when a client connects, from the configuration of the test.
     */
    public static SocketIoConnector create() {
        return new SocketIoConnector(null, "/", null, Map.of(), Map.of(), Map.of(),
                List.of(Transport.POLLING, Transport.WEBSOCKET), true, DEFAULT_TIMEOUT, DefaultMapper.INSTANCE);
    }

    /**
     * A connector to {@code uri}: its scheme, host and port name the server, and its path the namespace, as in the
     * official clients' {@code io("http://localhost:8081/chat")}; no path is the main namespace {@code /}.
     */
    public static SocketIoConnector to(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URI: " + uri);
        }
        String ns = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getPath();
        URI server = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
        return new SocketIoConnector(server, ns, "/socket.io/", Map.of(), Map.of(), Map.of(),
                List.of(Transport.POLLING, Transport.WEBSOCKET), true, DEFAULT_TIMEOUT, DefaultMapper.INSTANCE);
    }

    /** A connector to {@code uri}, as {@link #to(URI)}. */
    public static SocketIoConnector to(String uri) {
        return to(URI.create(uri));
    }

    /** The same connector for another server; the namespace stays. */
    public SocketIoConnector baseUri(URI uri) {
        SocketIoConnector other = to(uri);
        return new SocketIoConnector(other.server, namespace, path == null ? other.path : path, auth, headers, query,
                transports, upgrade, timeout, mapper);
    }

    /** The same connector for another namespace of the server ({@code "/"} is the main namespace). */
    public SocketIoConnector namespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (!namespace.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with /: " + namespace);
        }
        return new SocketIoConnector(server, namespace, path, auth, headers, query, transports, upgrade, timeout, mapper);
    }

    /**
     * The Engine.IO path of the server: {@code /socket.io/} by default; {@code quarkus.socketio.path} on the server,
     * under {@code quarkus.http.root-path}.
     */
    public SocketIoConnector path(String path) {
        Objects.requireNonNull(path, "path");
        return new SocketIoConnector(server, namespace, path, auth, headers, query, transports, upgrade, timeout, mapper);
    }

    /** The {@code auth} payload of the namespace's CONNECT packet (what {@code Handshake.auth()} reads). */
    public SocketIoConnector auth(Map<String, String> auth) {
        return new SocketIoConnector(server, namespace, path, Map.copyOf(auth), headers, query, transports, upgrade,
                timeout, mapper);
    }

    /** An HTTP header sent with every request of the client (the handshake's headers on the server). */
    public SocketIoConnector header(String name, String value) {
        Map<String, List<String>> h = new LinkedHashMap<>(headers);
        h.merge(name, List.of(value), (a, b) -> {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        });
        return new SocketIoConnector(server, namespace, path, auth, Map.copyOf(h), query, transports, upgrade, timeout,
                mapper);
    }

    /** A query parameter of the handshake. */
    public SocketIoConnector query(String name, String value) {
        Map<String, String> q = new LinkedHashMap<>(query);
        q.put(name, value);
        return new SocketIoConnector(server, namespace, path, auth, headers, Map.copyOf(q), transports, upgrade, timeout,
                mapper);
    }

    /**
     * The transports the client tries, in order: polling then WebSocket by default, as the official clients do.
     * {@code transports(Transport.WEBSOCKET)} opens a WebSocket at once; {@code transports(Transport.POLLING)} stays
     * on long-polling.
     */
    public SocketIoConnector transports(Transport... transports) {
        if (transports.length == 0) {
            throw new IllegalArgumentException("at least one transport");
        }
        return new SocketIoConnector(server, namespace, path, auth, headers, query, List.of(transports), upgrade, timeout,
                mapper);
    }

    /** Whether the client upgrades from polling to WebSocket when both are allowed (the default). */
    public SocketIoConnector upgrade(boolean upgrade) {
        return new SocketIoConnector(server, namespace, path, auth, headers, query, transports, upgrade, timeout, mapper);
    }

    /** How long the {@code ...AndAwait} methods of the connector and of its clients wait. */
    public SocketIoConnector timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new SocketIoConnector(server, namespace, path, auth, headers, query, transports, upgrade, timeout, mapper);
    }

    /** The Jackson mapper that turns emitted objects into JSON and received JSON into {@link Received#arg(int, Class)}. */
    public SocketIoConnector objectMapper(ObjectMapper mapper) {
        return new SocketIoConnector(server, namespace, path, auth, headers, query, transports, upgrade, timeout,
                Objects.requireNonNull(mapper, "mapper"));
    }

    /** Where the clients connect: the server and the namespace, as the official clients' URL. */
    public URI uri() {
        return server().resolve(namespace);
    }

    /** The namespace. */
    public String namespace() {
        return namespace;
    }

    /**
     * Connects a new client; the stage completes with it once the namespace accepted it, or exceptionally with a
     * {@link ConnectErrorException} when the server refused it.
     */
    public CompletionStage<ClientSocket> connect() {
        ClientSocket client = new ClientSocket(this);
        return client.open().thenApply(id -> client);
    }

    /**
     * Connects a new client and waits until the namespace accepted it.
     *
     * @throws ConnectErrorException when the server refused the connection
     * @throws AssertionError when neither happened within the timeout
     */
    public ClientSocket connectAndAwait() {
        ClientSocket client = new ClientSocket(this);
        try {
            client.awaitOpen();
            return client;
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /**
     * Connects a new client that the server must refuse, and returns the error it sent (the middleware's
     * rejection, for example).
     *
     * @throws AssertionError when the server accepted the client, or answered nothing within the timeout
     */
    public ConnectErrorException connectAndAwaitRefusal() {
        try (ClientSocket client = new ClientSocket(this)) {
            client.awaitOpen();
            throw new AssertionError("the server accepted a client on " + uri() + " (socket " + client.id()
                    + "); a refusal was expected");
        } catch (ConnectErrorException e) {
            return e;
        }
    }

    String path() {
        return path != null ? path : ApplicationUnderTest.enginePath();
    }

    Map<String, String> authPayload() {
        return auth;
    }

    Map<String, List<String>> headers() {
        return headers;
    }

    Map<String, String> queryParameters() {
        return query;
    }

    List<Transport> transportList() {
        return transports;
    }

    boolean upgrades() {
        return upgrade;
    }

    Duration awaitTimeout() {
        return timeout;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    URI server() {
        return server != null ? server : ApplicationUnderTest.server();
    }

    @Override
    public String toString() {
        return "SocketIoConnector[" + (server == null ? "the application under test" : server) + namespace + ", path "
                + (path == null ? "of the application" : path) + ", transports " + Arrays.toString(transports.toArray())
                + "]";
    }

    /**
     * Jackson with the modules on the kit's class path (java.time, JDK 8 types...), found through the kit's own class
     * loader: in a Quarkus test the context class loader may be another.
     */
    private static final class DefaultMapper {
        static final ObjectMapper INSTANCE = new ObjectMapper()
                .registerModules(ObjectMapper.findModules(SocketIoConnector.class.getClassLoader()));
    }
}
