package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.FrameSocket;
import dev.qsio.it.support.HttpAnswer;

/**
 * A polling POST that a worker forwards to the session's owner (the hand-off off, as for another host) gets the
 * limits and answers it would get on one process: a body that trickles in is cut at the polling body timeout with
 * 408, and an empty body is refused with 400. The request reaches the worker that does not own its session on a
 * kept-alive connection that worker holds (after a request of the application).
 */
class ForwardedRequestLimitsIT {

    static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

    @Test
    void slowAndEmptyBodiesForwardedToTheOwnerGetTheAnswersOfOneProcess() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.connection-hand-off", "false",
                "quarkus.socketio.polling-body-timeout", "2s",
                "quarkus.socketio.ping-interval", "25s",
                "quarkus.socketio.ping-timeout", "20s"), "forwarded-limits")) {
            // a slow body: Content-Length 100, one byte sent
            try (Connection c = Connection.open(cluster.port())) {
                String sid = sessionOfAnotherWorker(cluster.port(), c.worker);
                long start = System.nanoTime();
                c.write("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n4");
                HttpAnswer r = c.read();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.status()).as("slow forwarded body, answered after " + ms + " ms").isEqualTo(408);
                assertThat(ms).as("cut at the 2 s body timeout, not when the client gives up").isLessThan(8_000);
            }
            // an empty body
            try (Connection c = Connection.open(cluster.port())) {
                String sid = sessionOfAnotherWorker(cluster.port(), c.worker);
                c.write("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
                assertThat(c.read().status()).as("empty forwarded body").isEqualTo(400);
            }
        }
    }

    /**
     * A WebSocket that a worker relays for a session of another worker (the hand-off off, as for another host), whose
     * client stops reading: what the relaying worker queues for it is bounded by max-buffered-bytes, and the session
     * ends with its connection, long before its ping timeout.
     */
    @Test
    void aRelayedWebSocketThatIsNotReadIsBounded() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 2, Map.of(
                "quarkus.socketio.cluster.connection-hand-off", "false",
                "quarkus.socketio.max-buffered-bytes", "2000000",
                "quarkus.socketio.ping-interval", "25s",
                "quarkus.socketio.ping-timeout", "20s"), "relayed-limits");
                ClientDriver driver = ClientDriver.start()) {
            Connection c = Connection.open(cluster.port(), 4096);
            String sid = sessionOfAnotherWorker(cluster.port(), c.worker);
            // the session's WebSocket arrives at this connection's worker, which relays it to the owner
            try (FrameSocket ws = FrameSocket.upgrade(c.socket, "/socket.io/?EIO=4&transport=websocket&sid=" + sid)) {
                long start = System.nanoTime();
                ws.sendText("2probe");
                ws.nextTextStartingWith("3probe");
                ws.sendText("5");
                ws.sendText("421[\"join\",\"relayed\"]");
                ws.nextTextStartingWith("431[");
                // from now on it reads nothing; 40 messages of 200 KB (8 MB) go to its room
                driver.connect("publisher", cluster.url(), Map.of("transports", List.of("websocket")));
                driver.await("publisher", "connect");
                driver.emitWithAck("publisher", "flood", 120_000, "heavy-stream", "P", 40, 20, "relayed", 200_000);
                await().atMost(Duration.ofMinutes(2)).until(() -> !driver.events(m -> "publisher".equals(
                        m.path("id").asText()) && "ack".equals(m.path("event").asText())
                        && "flood".equals(m.path("ref").asText())).isEmpty());
                // the publisher's ack says the owner sent the flood, not that it reached the relaying worker: the
                // socket is read (which would drain what waits for it) only once a worker has ended the session
                await().atMost(Duration.ofMinutes(1)).alias("a worker ended the session at its bound").until(
                        () -> cluster.workers().stream().mapToLong(w -> w.path("stats").path("engine")
                                .path("bufferOverflows").asLong()).sum() > 0);
                assertThat(ws.closedByServer(Duration.ofSeconds(10))).as("the relayed WebSocket was ended").isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("before the ping timeout (45 s) could end it")
                        .isLessThan(Duration.ofSeconds(40));
            }
        }
    }

    /**
     * A new session, connected to the main namespace, of another worker than {@code notWorker}. Each request goes on
     * a connection of its own, as Node's client sends them: the primary gives it to the session's owner.
     */
    static String sessionOfAnotherWorker(int port, int notWorker) throws IOException {
        for (int i = 0; i < 200; i++) {
            HttpAnswer open = once(port, "GET", "/socket.io/?EIO=4&transport=polling", null);
            assertThat(open.status()).isEqualTo(200);
            Matcher m = SID.matcher(open.body());
            assertThat(m.find()).as(open.body()).isTrue();
            String sid = m.group(1);
            String base = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
            assertThat(once(port, "POST", base, "40").status()).isEqualTo(200);
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("40{")) {
                seen.append(once(port, "GET", base, null).body());
            }
            assertThat(once(port, "POST", base, "421[\"whoami\"]").status()).isEqualTo(200);
            Matcher w = Pattern.compile("431\\[(\\d+)").matcher("");
            while (!w.reset(seen).find()) {
                seen.append(once(port, "GET", base, null).body());
            }
            if (Integer.parseInt(w.group(1)) != notWorker) {
                return sid;
            }
        }
        throw new AssertionError("200 sessions all made on worker " + notWorker);
    }

    /** One request on a connection of its own. */
    static HttpAnswer once(int port, String method, String path, String body) throws IOException {
        try (Connection c = new Connection(port, 0)) {
            c.send(method, path, body);
            return c.read();
        }
    }

    /** A raw HTTP/1.1 connection. */
    static final class Connection implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        /** The worker that holds it, once {@link #pinned} asked. */
        int worker;

        private Connection(int port, int receiveBuffer) throws IOException {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        /**
         * A kept-alive connection held by a worker: the primary gives it to one with its first request, which is for
         * the application (not Engine.IO, whose responses close the connection) and says which worker that is.
         */
        static Connection pinned(int port, int receiveBuffer) throws IOException {
            Connection c = new Connection(port, receiveBuffer);
            c.send("GET", "/api/worker", null);
            HttpAnswer r = c.read();
            assertThat(r.status()).isEqualTo(200);
            c.worker = Integer.parseInt(r.body().trim());
            return c;
        }

        void send(String method, String path, String body) throws IOException {
            if (body == null) {
                write(method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            } else {
                write(method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
            }
        }

        static Connection open(int port) throws IOException {
            return pinned(port, 0);
        }

        static Connection open(int port, int receiveBuffer) throws IOException {
            return pinned(port, receiveBuffer);
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        HttpAnswer read() throws IOException {
            return HttpAnswer.read(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
