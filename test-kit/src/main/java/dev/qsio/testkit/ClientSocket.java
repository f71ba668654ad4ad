package dev.qsio.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/**
 * A client connected to a namespace of the application under test (from {@link SocketIoConnector}): emits, awaits
 * acknowledgements and events with timeouts, and disconnects.
 * <p>
 * Every event the client receives is recorded: {@link #events(String)} lists them, and {@link #awaitEvent(String)}
 * hands them out one at a time, in the order they arrived, each once. Callbacks registered with
 * {@link #onEvent(String, Consumer)} run on the client's event thread. The methods may be called from any thread.
 * Reconnection is off: a disconnect is final, and {@link #awaitDisconnect()} tells its reason.
 */
public final class ClientSocket implements AutoCloseable {

    private final SocketIoConnector connector;
    private final Socket socket;
    private final CompletableFuture<String> opened = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, BlockingQueue<Received>> unclaimed = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<Received>>> handlers = new ConcurrentHashMap<>();

    ClientSocket(SocketIoConnector connector) {
        this.connector = connector;
        IO.Options options = IO.Options.builder()
                .setForceNew(true)
                .setReconnection(false)
                .setPath(connector.path())
                .setTransports(connector.transportList().stream().map(Transport::protocolName).toArray(String[]::new))
                .setUpgrade(connector.upgrades())
                .setTimeout(connector.awaitTimeout().toMillis())
                .setAuth(connector.authPayload().isEmpty() ? null : connector.authPayload())
                .setExtraHeaders(connector.headers().isEmpty() ? null : connector.headers())
                .setQuery(connector.queryParameters().isEmpty() ? null : query(connector.queryParameters()))
                .build();
        socket = IO.socket(connector.uri(), options);
        socket.on(Socket.EVENT_CONNECT, args -> opened.complete(socket.id()));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> opened.completeExceptionally(
                ConnectErrorException.of(connector.namespace(), args.length == 0 ? null : args[0])));
        socket.on(Socket.EVENT_DISCONNECT, args -> disconnected.complete(args.length == 0 ? "" : String.valueOf(args[0])));
        socket.onAnyIncoming(this::record);
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    CompletionStage<String> open() {
        socket.connect();
        return opened;
    }

    void awaitOpen() {
        open();
        await(opened, "the connection to " + connector.uri());
    }

    /** args: the event's name, its arguments, and an {@link Ack} last when the server asked for one. */
    private void record(Object... args) {
        String event = String.valueOf(args[0]);
        int end = args.length;
        Ack ack = null;
        if (end > 1 && args[end - 1] instanceof Ack a) {
            ack = a;
            end--;
        }
        Ack reply = ack;
        Received r = new Received(event, jackson(Arrays.copyOfRange(args, 1, end)), connector.mapper(),
                reply == null ? null : values -> reply.call(client(values)));
        received.add(r);
        queue(event).add(r);
        for (Consumer<Received> handler : handlers.getOrDefault(event, List.of())) {
            handler.accept(r);
        }
    }

    private BlockingQueue<Received> queue(String event) {
        return unclaimed.computeIfAbsent(event, e -> new LinkedBlockingQueue<>());
    }

    private static List<JsonNode> jackson(Object[] values) {
        List<JsonNode> nodes = new ArrayList<>(values.length);
        for (Object v : values) {
            nodes.add(OrgJson.toJackson(v));
        }
        return nodes;
    }

    private Object[] client(Object[] values) {
        Object[] out = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = OrgJson.toClient(connector.mapper().valueToTree(values[i]));
        }
        return out;
    }

    /** The socket's id, as the server knows it ({@code SocketIoSocket.id()}); null before the connection. */
    public String id() {
        return socket.id();
    }

    /** Whether the socket is connected to its namespace. */
    public boolean connected() {
        return socket.connected();
    }

    /** The namespace. */
    public String namespace() {
        return connector.namespace();
    }

    /**
     * Emits {@code event} with {@code args}: objects go through Jackson (records, POJOs, maps, lists, strings,
     * numbers); {@code byte[]} are sent as binary attachments.
     */
    public ClientSocket emit(String event, Object... args) {
        socket.emit(event, client(args));
        return this;
    }

    /** Emits {@code event} and completes with the server's acknowledgement (the handler's return value). */
    public CompletionStage<Received> emitWithAck(String event, Object... args) {
        CompletableFuture<Received> answer = new CompletableFuture<>();
        socket.emit(event, client(args), values -> answer.complete(new Received(null, jackson(values), connector.mapper(),
                null)));
        return answer;
    }

    /** Emits {@code event} and waits for the acknowledgement, within the connector's timeout. */
    public Received emitAndAwaitAck(String event, Object... args) {
        return emitAndAwaitAck(connector.awaitTimeout(), event, args);
    }

    /** Emits {@code event} and waits for the acknowledgement, within {@code timeout}. */
    public Received emitAndAwaitAck(Duration timeout, String event, Object... args) {
        return await(emitWithAck(event, args).toCompletableFuture(), timeout, "the acknowledgement of '" + event + "'");
    }

    /**
     * Waits for the next {@code event} not handed out yet (the first one, the first time), within the connector's
     * timeout. Events that arrived before the call count.
     *
     * @throws AssertionError when none arrives in time
     */
    public Received awaitEvent(String event) {
        return awaitEvent(event, connector.awaitTimeout());
    }

    /** Waits for the next {@code event} not handed out yet, within {@code timeout}. */
    public Received awaitEvent(String event, Duration timeout) {
        try {
            Received r = queue(event).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new AssertionError("no '" + event + "' event within " + timeout + " on " + connector.uri()
                        + "; received: " + received);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for '" + event + "'", e);
        }
    }

    /** Every {@code event} received so far, whether handed out or not. */
    public List<Received> events(String event) {
        return received.stream().filter(r -> r.event().equals(event)).toList();
    }

    /** Every event received so far, in order. */
    public List<Received> events() {
        return List.copyOf(received);
    }

    /**
     * Calls {@code handler} for each {@code event} that arrives from now on, on the client's event thread (to
     * acknowledge the server's {@code emitWithAck} with {@link Received#ack(Object...)}, for example). The events
     * are recorded as well.
     */
    public ClientSocket onEvent(String event, Consumer<Received> handler) {
        handlers.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(handler);
        return this;
    }

    /**
     * Waits until the server or the transport ends the connection, and returns the reason the client gives
     * ({@code io server disconnect} when the server disconnected the socket, {@code transport close}...).
     */
    public String awaitDisconnect() {
        return await(disconnected, "a disconnect");
    }

    /** Disconnects from the namespace and waits until the client is disconnected. */
    public void disconnectAndAwait() {
        socket.disconnect();
        await(disconnected, "the disconnect");
    }

    /** Disconnects, if connected, and releases the client's connection. */
    @Override
    public void close() {
        socket.close();
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        return await(future, connector.awaitTimeout(), what);
    }

    private <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no " + what + " within " + timeout + " (" + connector + ")", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    @Override
    public String toString() {
        return "ClientSocket[" + connector.uri() + ", id " + id() + "]";
    }
}
