package dev.qsio.test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/** The Java Socket.IO client (io.socket) connected to the application under test, with what it received. */
public final class JavaClient implements AutoCloseable {

    public final Socket socket;
    public final CompletableFuture<String> connected = new CompletableFuture<>();
    public final CompletableFuture<Object> connectError = new CompletableFuture<>();
    private final List<String> received = new CopyOnWriteArrayList<>();

    private JavaClient(String url, Map<String, String> auth, String... events) {
        IO.Options options = IO.Options.builder().setTransports(new String[] { "websocket" }).setReconnection(false)
                .setAuth(auth).build();
        socket = IO.socket(URI.create(url), options);
        socket.on(Socket.EVENT_CONNECT, args -> connected.complete(socket.id()));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> connectError.complete(args.length == 0 ? null : args[0]));
        for (String event : events) {
            socket.on(event, args -> received.add(event + ":" + (args.length == 0 ? "" : args[0])));
        }
        socket.connect();
    }

    /** A client of {@code namespace} on the test port, recording the given events as {@code event:firstArgument}. */
    public static JavaClient connect(int port, String namespace, Map<String, String> auth, String... events) {
        return new JavaClient("http://localhost:" + port + namespace, auth, events);
    }

    /** Waits for the connection; returns the socket id. */
    public String awaitConnected() throws Exception {
        return connected.get(10, TimeUnit.SECONDS);
    }

    /** Emits with an acknowledgement and returns its arguments. */
    public Object[] call(String event, Object... args) throws Exception {
        CompletableFuture<Object[]> answer = new CompletableFuture<>();
        socket.emit(event, args, (Ack) answer::complete);
        return answer.get(10, TimeUnit.SECONDS);
    }

    public List<String> received() {
        return received;
    }

    @Override
    public void close() {
        socket.close();
    }
}
