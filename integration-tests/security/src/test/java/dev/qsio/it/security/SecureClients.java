package dev.qsio.it.security;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.client.SocketOptionBuilder;

/** Java clients ({@code io.socket:socket.io-client}) with credentials as a header or in the auth payload. */
final class SecureClients implements AutoCloseable {

    private final List<Socket> sockets = new ArrayList<>();

    /** A socket that is connecting; {@code bearer} goes in the Authorization header, {@code token} in the auth. */
    Socket open(String url, String[] transports, String bearer, String token) {
        SocketOptionBuilder options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(transports);
        if (bearer != null) {
            options.setExtraHeaders(Map.of("Authorization", List.of("Bearer " + bearer)));
        }
        if (token != null) {
            options.setAuth(Map.of("token", token));
        }
        Socket socket = IO.socket(URI.create(url), options.build());
        sockets.add(socket);
        return socket;
    }

    /** Connects; the connect_error's message when refused, null when connected. */
    static String connect(Socket socket) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        socket.once(Socket.EVENT_CONNECT, args -> outcome.complete(null));
        socket.once(Socket.EVENT_CONNECT_ERROR, args -> outcome.complete(message(args.length > 0 ? args[0] : null)));
        socket.connect();
        return outcome.get(20, TimeUnit.SECONDS);
    }

    private static String message(Object error) {
        if (error instanceof org.json.JSONObject o) {
            return o.optString("message");
        }
        if (error instanceof Exception e) {
            return e.getMessage();
        }
        return String.valueOf(error);
    }

    static Object call(Socket socket, String event, Object... args) throws Exception {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        Object[] withAck = new Object[args.length + 1];
        System.arraycopy(args, 0, withAck, 0, args.length);
        withAck[args.length] = (Ack) reply -> answer.complete(reply.length > 0 ? reply[0] : null);
        socket.emit(event, withAck);
        return answer.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        sockets.forEach(Socket::close);
    }
}
