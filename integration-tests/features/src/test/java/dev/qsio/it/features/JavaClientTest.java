package dev.qsio.it.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/**
 * The Java client {@code io.socket:socket.io-client} 2.1.x: connect, emit with an acknowledgement, receive a
 * broadcast, and binary both ways.
 */
@QuarkusTest
class JavaClientTest {

    @TestHTTPResource("/")
    URL root;

    private final List<Socket> sockets = new java.util.ArrayList<>();

    @AfterEach
    void close() {
        sockets.forEach(Socket::close);
    }

    Socket connect(String transport) throws Exception {
        IO.Options options = IO.Options.builder()
                .setTransports(transport.equals("default") ? null : new String[] { transport })
                .setAuth(Map.of("name", "java"))
                .setReconnection(false)
                .build();
        Socket socket = IO.socket(URI.create(root.toString()), options);
        CompletableFuture<Object[]> welcome = new CompletableFuture<>();
        socket.on("welcome", welcome::complete);
        sockets.add(socket);
        socket.connect();
        Object[] args = welcome.get(15, TimeUnit.SECONDS);
        assertThat(args[1]).isEqualTo("java");
        assertThat(socket.connected()).isTrue();
        return socket;
    }

    static Object[] ack(Socket socket, String event, Object... args) throws Exception {
        CompletableFuture<Object[]> answer = new CompletableFuture<>();
        socket.emit(event, args, (Ack) answer::complete);
        return answer.get(15, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = { "polling", "websocket", "default" })
    void connectEmitWithAckBroadcastAndBinary(String transport) throws Exception {
        Socket a = connect(transport);
        Socket b = connect(transport);

        assertThat(ack(a, "upper", "java")).containsExactly("JAVA");
        Object[] receipt = ack(a, "record", new JSONObject(Map.of("text", "hey", "tags", List.of("t"))));
        assertThat(((JSONObject) receipt[0]).getInt("length")).isEqualTo(3);

        CompletableFuture<Object[]> broadcast = new CompletableFuture<>();
        b.on("broadcast", broadcast::complete);
        a.emit("broadcast", new JSONObject(Map.of("from", "java")));
        assertThat(((JSONObject) broadcast.get(15, TimeUnit.SECONDS)[0]).getString("from")).isEqualTo("java");

        Object[] reversed = ack(a, "reverse", (Object) new byte[] { 1, 2, 3 });
        assertThat((byte[]) reversed[0]).containsExactly(3, 2, 1);

        CompletableFuture<Object[]> question = new CompletableFuture<>();
        a.on("question", args -> {
            ((Ack) args[args.length - 1]).call("java says yes");
        });
        assertThat(ack(a, "ask", 3000)).containsExactly("java says yes");
        question.complete(null);
    }
}
