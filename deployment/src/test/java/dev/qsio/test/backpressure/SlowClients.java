package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.shrinkwrap.api.spec.JavaArchive;

import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.test.RawConnection;

/** What the tests of slow clients share: an application that keeps its sockets, and clients that stop reading. */
final class SlowClients {

    private SlowClients() {
    }

    /** The classes of the tests' application. */
    static void addTo(JavaArchive jar) {
        jar.addClasses(SlowClients.class, App.class, Client.class, RawConnection.class, RawConnection.Frame.class,
                RawConnection.Response.class);
    }

    /** The application: every socket by id, and the reason each one went with. */
    @SocketIo("/")
    public static class App {
        static final Map<String, SocketIoSocket> SOCKETS = new ConcurrentHashMap<>();
        static final Map<String, String> REASONS = new ConcurrentHashMap<>();

        @OnConnect
        void connect(SocketIoSocket socket) {
            SOCKETS.put(socket.id(), socket);
        }

        @OnDisconnect
        void disconnect(SocketIoSocket socket, String reason) {
            REASONS.put(socket.id(), reason);
        }

        @OnEvent("echo")
        String echo(String text) {
            return text;
        }

        @OnEvent("slow")
        String slow(String text) {
            return text;
        }
    }

    /** A WebSocket client connected to the main namespace, then read no more than the test asks. */
    record Client(RawConnection connection, String id) implements AutoCloseable {

        SocketIoSocket socket() {
            return App.SOCKETS.get(id);
        }

        /** Reads frames until one starting with {@code prefix}; the frames read. */
        int readUntil(String prefix) throws IOException {
            int n = 0;
            while (true) {
                RawConnection.Frame f = connection.next();
                assertThat(f).as("the connection ended before a frame starting with " + prefix).isNotNull();
                n++;
                if (f.opcode() == 1 && f.text().startsWith(prefix)) {
                    return n;
                }
            }
        }

        /** Reads frames until the close frame; that frame. */
        RawConnection.Frame closeFrame() throws IOException {
            connection.socket.setSoTimeout(10_000);
            while (true) {
                RawConnection.Frame f = connection.next();
                assertThat(f).as("the connection ended before a close frame").isNotNull();
                if (f.opcode() == 8) {
                    return f;
                }
            }
        }

        /** Sends an event with an acknowledgement id and returns the acknowledgement's arguments as JSON text. */
        String ask(int ackId, String event, String text) throws IOException {
            connection.sendText("42" + ackId + "[\"" + event + "\",\"" + text + "\"]");
            String prefix = "43" + ackId + "[";
            while (true) {
                RawConnection.Frame f = connection.next();
                assertThat(f).as("the connection ended before the acknowledgement " + ackId).isNotNull();
                if (f.text().startsWith(prefix)) {
                    return f.text().substring(prefix.length() - 1);
                }
            }
        }

        /** Whether the server ends the connection within {@code within} of each read, what it had sent read and dropped. */
        boolean endedWithin(Duration within) throws IOException {
            connection.socket.setSoTimeout((int) within.toMillis());
            byte[] buf = new byte[65536];
            try {
                while (connection.in.read(buf) >= 0) {
                    // what the server sent before it closed
                }
                return true;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            connection.close();
        }
    }

    /** Connects a client over WebSocket with a small receive buffer, so that not reading soon shows on the server. */
    static Client connect(int port) throws IOException {
        RawConnection c = new RawConnection(port, 8192);
        assertThat(c.upgrade("/socket.io/?EIO=4&transport=websocket", "").status()).contains("101");
        assertThat(c.next().text()).startsWith("0{");
        c.sendText("40");
        String connected = c.next().text();
        assertThat(connected).startsWith("40{\"sid\":\"");
        String id = connected.substring(10, connected.indexOf('"', 10));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> App.SOCKETS.containsKey(id));
        return new Client(c, id);
    }

    /** 20 KB of text. */
    static final String CHUNK = "x".repeat(20_000);

    /**
     * Emits {@code count} chunks to a socket whose client does not read, then waits for them to reach the connection:
     * more than the kernel's socket buffers take (4 MB at most here), so that the rest is held.
     */
    static int fill(SocketIoSocket socket, int count) {
        int i = 0;
        while (i < count) {
            socket.emit("chunk", i++, CHUNK);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !socket.writable());
        return i;
    }

    static long figure(EngineEndpoints endpoints, EngineFigure figure) {
        return endpoints.servers().stream().mapToLong(s -> s.stats().snapshot().get(figure)).sum();
    }
}
