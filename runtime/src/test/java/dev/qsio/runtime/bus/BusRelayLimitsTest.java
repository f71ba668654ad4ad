package dev.qsio.runtime.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The primary's bus port before a peer has authenticated: a small frame limit, a cap on connections, and refused
 * peers closed and logged once per interval, not once per frame.
 */
class BusRelayLimitsTest {

    static Vertx vertx;
    static BusRelay relay;
    static int port;
    static final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        Logger.getLogger("").addHandler(capture);
        vertx = Vertx.vertx();
        relay = new BusRelay(vertx, "the-secret", Duration.ofSeconds(30), Duration.ofSeconds(30), new BusRelay.Events() {
            @Override
            public void onJoined(int slot, int workerId, long pid) {
            }

            @Override
            public void onLeft(int slot, int workerId) {
            }

            @Override
            public void onStalled(int slot, int workerId, long silentMs) {
            }

            @Override
            public void onResumed(int slot, int workerId, long silentMs) {
            }

            @Override
            public void onUnresponsive(int slot, int workerId) {
            }

            @Override
            public void onControl(int slot, int workerId, Buffer payload) {
            }
        });
        port = relay.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        Logger.getLogger("").removeHandler(capture);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Whether the server closed the connection (end of stream or reset) within the socket's timeout. */
    static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] sink = new byte[4096];
        try {
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aFrameOverTheLimitBeforeAuthenticatingClosesTheConnectionWithoutBufferingIt() throws Exception {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            // announces 60 MB; the relay must not wait for (and hold) them
            out.writeInt(60 * 1024 * 1024);
            out.write(new byte[64 * 1024]);
            out.flush();
            assertThat(closedByServer(s)).isTrue();
        }
    }

    /** Bytes the event loops have allocated so far (the relay reads frames on them). */
    static long allocatedOnEventLoops() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vert.x-eventloop")) {
                sum += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
            }
        }
        return sum;
    }

    @Test
    void aHelloDeclaringASecretLongerThanItsFrameIsRefusedBeforeAnythingIsSizedByIt() throws Exception {
        long before = allocatedOnEventLoops();
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            // HELLO whose secret declares 2 GB and carries 5 bytes: getBytes would allocate the 2 GB first
            out.writeInt(1 + 4 + 4 + 8 + 4 + 5);
            out.writeByte(Frames.HELLO);
            out.writeInt(77);
            out.writeInt(1);
            out.writeLong(1234);
            out.writeInt(Integer.MAX_VALUE - 64);
            out.write(new byte[5]);
            out.flush();
            assertThat(closedByServer(s)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.unauthenticatedConnections() == 0);
        assertThat(allocatedOnEventLoops() - before).as("bytes allocated while refusing it").isLessThan(64 << 20);
    }

    @Test
    void connectionsThatDoNotAuthenticateAreCapped() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < BusRelay.MAX_UNAUTHENTICATED + 8; i++) {
                sockets.add(connect());
            }
            int closed = 0;
            for (Socket s : sockets) {
                s.setSoTimeout(300);
                if (closedByServer(s)) {
                    closed++;
                }
            }
            assertThat(closed).as("connections beyond the cap closed at once").isGreaterThanOrEqualTo(8);
            assertThat(closed).as("the first ones are left to authenticate").isLessThanOrEqualTo(8);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.unauthenticatedConnections() == 0);
        }
    }

    @Test
    void aWrongSecretIsRefusedClosedAndLoggedOncePerIntervalHoweverOftenItIsTried() throws Exception {
        int before = warnings.size();
        for (int i = 0; i < 30; i++) {
            try (Socket s = connect()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                byte[] secret = "wrong".getBytes(StandardCharsets.UTF_8);
                for (int frame = 0; frame < 20; frame++) {
                    // HELLO: slot, worker id, pid, secret
                    out.writeInt(1 + 4 + 4 + 8 + 4 + secret.length);
                    out.writeByte(Frames.HELLO);
                    out.writeInt(100 + i);
                    out.writeInt(1);
                    out.writeLong(1234);
                    out.writeInt(secret.length);
                    out.write(secret);
                }
                s.getOutputStream().write(bytes.toByteArray());
                s.getOutputStream().flush();
                assertThat(closedByServer(s)).as("refused peer closed").isTrue();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.unauthenticatedConnections() == 0);
        }
        List<LogRecord> refusals = warnings.subList(before, warnings.size()).stream()
                .filter(r -> String.valueOf(r.getMessage()).contains("Refused a bus connection")).toList();
        assertThat(refusals).as("30 refused peers of 20 frames each, WARN lines").hasSizeLessThanOrEqualTo(1);
    }
}
