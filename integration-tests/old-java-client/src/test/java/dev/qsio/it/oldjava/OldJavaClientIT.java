package dev.qsio.it.oldjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import okhttp3.OkHttpClient;

/**
 * {@code io.socket:socket.io-client} 1.0.2, the Java client of the Socket.IO 2.x generation (Engine.IO revision 3),
 * against the features application with {@code allow-eio3}: every transport mix, the client's heartbeat,
 * acknowledgements with text and binary, a namespace whose middleware reads the client's query, its refusal, and a
 * broadcast with a binary value; on one process and on two workers.
 */
class OldJavaClientIT {

    static final Path JAR = Path.of(System.getProperty("features.jar", "../features/target/quarkus-app/quarkus-run.jar"));
    static final Map<String, String> EIO3 = Map.of("quarkus.socketio.allow-eio3", "true");
    static final List<String[]> TRANSPORTS = List.of(new String[] { "polling" }, new String[] { "websocket" },
            new String[] { "polling", "websocket" });

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        sockets.forEach(Socket::close);
    }

    Socket socket(String url, String[] transports, String query) throws Exception {
        IO.Options options = new IO.Options();
        options.transports = transports;
        options.forceNew = true;
        options.reconnection = false;
        options.query = query;
        // a client of its own, as separate devices have: its own connections, which the kernel spreads over the
        // workers (one shared pool would carry every polling session on one kept-alive connection, to one worker)
        OkHttpClient http = new OkHttpClient();
        options.callFactory = http;
        options.webSocketFactory = http;
        Socket socket = IO.socket(url, options);
        sockets.add(socket);
        return socket;
    }

    /** Connects and waits for the connection; the first "welcome" event's arguments are returned. */
    static Object[] connect(Socket socket) throws Exception {
        CompletableFuture<Object[]> welcome = new CompletableFuture<>();
        CompletableFuture<Object> failed = new CompletableFuture<>();
        socket.on("welcome", welcome::complete);
        socket.on(Socket.EVENT_ERROR, args -> failed.complete(args.length > 0 ? args[0] : null));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> failed.complete(args.length > 0 ? args[0] : null));
        socket.connect();
        await().atMost(Duration.ofSeconds(20)).until(() -> welcome.isDone() || failed.isDone());
        if (failed.isDone()) {
            throw new AssertionError("connection refused: " + failed.get());
        }
        return welcome.get();
    }

    static Object[] call(Socket socket, String event, Object... args) throws Exception {
        CompletableFuture<Object[]> answer = new CompletableFuture<>();
        Object[] withAck = new Object[args.length + 1];
        System.arraycopy(args, 0, withAck, 0, args.length);
        withAck[args.length] = (Ack) answer::complete;
        socket.emit(event, withAck);
        return answer.get(20, TimeUnit.SECONDS);
    }

    @Test
    void oneProcess() throws Exception {
        try (ClusterProcess server = ClusterProcess.startSingle(JAR, EIO3, "old-java-single")) {
            everything(server.url());
        }
    }

    @Test
    void twoWorkers() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.launch(JAR, 2, EIO3, "old-java-cluster")) {
            cluster.awaitReady(2);
            everything(cluster.url());
            // clients on both workers, and a broadcast reaches those of the other worker
            List<Socket> more = new ArrayList<>();
            List<String> workers = new ArrayList<>();
            for (int i = 0; i < 30 && (i < 6 || workers.stream().distinct().count() < 2); i++) {
                Socket s = socket(cluster.url(), TRANSPORTS.get(i % 3), null);
                connect(s);
                more.add(s);
                workers.add(String.valueOf(call(s, "whoami")[0]));
            }
            assertThat(workers.stream().distinct()).as("workers the clients reached").hasSize(2);
            broadcast(more);
        }
    }

    private void everything(String url) throws Exception {
        List<Socket> main = new ArrayList<>();
        for (String[] transports : TRANSPORTS) {
            Socket socket = socket(url, transports, null);
            AtomicInteger pongs = new AtomicInteger();
            socket.on(Socket.EVENT_PONG, args -> pongs.incrementAndGet());
            List<String> disconnects = new CopyOnWriteArrayList<>();
            socket.on(Socket.EVENT_DISCONNECT, args -> disconnects.add(String.valueOf(args.length > 0 ? args[0] : null)));
            Object[] welcome = connect(socket);
            // protocol 4: the socket of the main namespace has the connection's id
            assertThat(welcome[0]).isEqualTo(socket.id());
            assertThat(call(socket, "upper", "héllo €")[0]).isEqualTo("HÉLLO €");
            byte[] data = new byte[300];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            byte[] back = (byte[]) call(socket, "reverse", (Object) data)[0];
            assertThat(back).hasSize(300);
            for (int i = 0; i < data.length; i++) {
                assertThat(back[i]).isEqualTo(data[data.length - 1 - i]);
            }
            JSONObject sum = (JSONObject) call(socket, "sum", 40, 2)[0];
            assertThat(sum.getInt("total")).isEqualTo(42);
            main.add(socket);
            // the application pings every 2 s with a 2 s timeout: the client pings and the server answers
            await().atMost(Duration.ofSeconds(20)).until(() -> pongs.get() >= 3);
            assertThat(disconnects).isEmpty();
        }
        // a namespace whose middleware reads the query as auth: admitted as admin, refused otherwise
        Socket admin = socket(url + "/admin", new String[] { "websocket" }, "role=admin");
        assertThat(connect(admin)[0]).isEqualTo("admin");
        assertThat(call(admin, "whoami")[0]).isEqualTo("/admin");
        Socket guest = socket(url + "/admin", new String[] { "polling" }, "role=guest");
        CompletableFuture<Object> refused = new CompletableFuture<>();
        guest.on(Socket.EVENT_ERROR, args -> refused.complete(args[0]));
        guest.connect();
        Object error = refused.get(20, TimeUnit.SECONDS);
        // protocol 4: the error's body is the message (the data when the refusal has some)
        assertThat(error).isEqualTo("admins only");
        broadcast(main);
    }

    /** A broadcast with a binary value from the first socket reaches every socket once. */
    static void broadcast(List<Socket> sockets) throws Exception {
        String marker = "from java " + System.nanoTime();
        List<CompletableFuture<byte[]>> received = new ArrayList<>();
        for (Socket s : sockets) {
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            s.on("everyone", args -> {
                JSONObject o = (JSONObject) args[0];
                if (marker.equals(o.optString("text"))) {
                    got.complete((byte[]) o.opt("blob"));
                }
            });
            received.add(got);
        }
        JSONObject message = new JSONObject().put("text", marker).put("blob", new byte[] { 9, 8, 7 });
        sockets.get(0).emit("everyone", message);
        for (CompletableFuture<byte[]> got : received) {
            assertThat(got.get(20, TimeUnit.SECONDS)).containsExactly(9, 8, 7);
        }
    }
}
