package dev.qsio.test.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.engine.Fanout;
import dev.qsio.test.EventLoopAllocations;
import dev.qsio.test.RawConnection;
import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * What a broadcast costs the server, counted in ways that do not depend on time, so that the build fails when the
 * broadcast path gets dearer (benchmarks measure the speed; these catch the causes):
 * <ul>
 * <li>events that arrive in one read are handled in that read's turn, and the broadcasts they make reach each
 * recipient in one flush: flushes per read, not per message (a turn per event once made every broadcast a flush and
 * a system call per recipient, and cost two thirds of the broadcast path's speed);</li>
 * <li>bytes the event loops allocate per delivery of a broadcast to 1,000 sockets, each broadcast flushed alone and
 * 20 read together: bounds a little over the measured figures, so that one more allocation per recipient fails, and
 * so does a turn whose broadcasts reach a connection one by one instead of copied together.</li>
 * </ul>
 * One event loop, so that every connection is written and flushed by the same thread.
 */
@Tag("full-jit")
class BroadcastCostTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Publisher.class, RawConnection.class, EventLoopAllocations.class))
            .overrideConfigKey("quarkus.vertx.event-loops-pool-size", "1")
            // no heartbeat while a thousand sockets connect one after the other
            .overrideConfigKey("quarkus.socketio.ping-interval", "10m")
            // thousands of sockets from 127.0.0.1 at once: past what one address may open by default
            .overrideConfigKey("quarkus.socketio.limits.handshakes-per-second-per-address", "0")
            .overrideConfigKey("quarkus.socketio.limits.sessions-per-address", "0");

    @TestHTTPResource("/")
    URL root;

    /** A WebSocket client joined to the main namespace. */
    RawConnection socket() throws IOException {
        RawConnection c = new RawConnection(root.getPort());
        c.socket.setTcpNoDelay(true);
        assertThat(c.upgrade("/socket.io/?EIO=4&transport=websocket", "").status()).contains("101");
        assertThat(c.next().text()).startsWith("0{");
        c.sendText("40");
        assertThat(c.next().text()).startsWith("40{");
        return c;
    }

    /** Client frames (masked with the key 0) of {@code pub} events, all in one write: one read for the server. */
    static byte[] events(int from, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < from + count; i++) {
            byte[] payload = ("42[\"pub\"," + i + "]").getBytes(StandardCharsets.UTF_8);
            out.writeBytes(new byte[] { (byte) 0x81, (byte) (0x80 | payload.length), 0, 0, 0, 0 });
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    static void receive(List<RawConnection> receivers, int from, int count) throws IOException {
        for (RawConnection r : receivers) {
            for (int i = from; i < from + count; i++) {
                assertThat(r.next().text()).isEqualTo("42[\"msg\"," + i + "]");
            }
        }
    }

    static long broadcastFlushes() {
        return Fanout.flushes();
    }

    /** A sender, then {@code receivers} more sockets: all of them, the sender first. */
    List<RawConnection> sockets(int receivers) throws IOException {
        List<RawConnection> all = new ArrayList<>();
        try {
            for (int i = 0; i <= receivers; i++) {
                all.add(socket());
            }
            return all;
        } catch (IOException | RuntimeException | Error e) {
            close(all);
            throw e;
        }
    }

    static void close(List<RawConnection> sockets) throws IOException {
        for (RawConnection c : sockets) {
            c.close();
        }
    }

    @Test
    void broadcastsOfEventsReadTogetherAreFlushedTogether() throws Exception {
        int receivers = 50;
        int events = 20;
        List<RawConnection> all = sockets(receivers);
        try {
            RawConnection sender = all.get(0);
            List<RawConnection> rs = all.subList(1, all.size());
            // once, so that the first broadcast's one-time work is behind
            sender.out.write(events(0, 1));
            receive(rs, 0, 1);
            long before = broadcastFlushes();
            sender.out.write(events(1, events));
            sender.out.flush();
            receive(rs, 1, events);
            long flushes = broadcastFlushes() - before;
            // one flush per receiver for the whole read; a second read (the events split by the network) at most doubles it
            assertThat(flushes).as("flushes for %d broadcasts of one read to %d receivers (%d deliveries)", events,
                    receivers, events * receivers).isLessThanOrEqualTo(2L * receivers);
        } finally {
            close(all);
        }
    }

    /**
     * Each broadcast flushed alone (the next event is sent once every receiver has the last): what one delivery costs
     * when a connection gets one message per turn.
     */
    @Test
    void bytesPerDeliveryOfBroadcastsFlushedAloneStayUnderTheirBound() throws Exception {
        assertBytesPerDelivery(1, "each broadcast flushed alone", ALONE_BOUND);
    }

    /**
     * The broadcasts of 20 events read together: each receiver's 20 frames go to its connection together, so what a
     * flush costs is shared by 20 deliveries, and what is left is what each delivery costs on its own.
     */
    @Test
    void bytesPerDeliveryOfBroadcastsReadTogetherStayUnderTheirBound() throws Exception {
        assertBytesPerDelivery(20, "20 broadcasts read together", TOGETHER_BOUND);
    }

    void assertBytesPerDelivery(int together, String how, double bound) throws Exception {
        double perDelivery = bytesPerDelivery(together);
        System.out.printf("[broadcast-cost] %.1f bytes allocated by the event loop per delivery, %s (to 1000 sockets)%n",
                perDelivery, how);
        assertThat(perDelivery).as("bytes allocated per delivery, %s", how).isLessThan(bound);
    }

    /**
     * Bytes the event loop allocates per delivery of broadcasts to 1,000 sockets, the events sent {@code together} in
     * one write (one read for the server: a few hundred bytes on loopback), the next write once every receiver has
     * them.
     */
    double bytesPerDelivery(int together) throws Exception {
        int receivers = 1000;
        int warmUp = 300;
        int measured = 100;
        List<RawConnection> all = sockets(receivers);
        try {
            RawConnection sender = all.get(0);
            List<RawConnection> rs = all.subList(1, all.size());
            // compiled code, not the interpreter's: what a server that runs for a while allocates
            for (int i = 0; i < warmUp; i += together) {
                broadcast(sender, rs, i, together);
            }
            long before = allocatedOnEventLoops();
            for (int i = 0; i < measured; i += together) {
                broadcast(sender, rs, warmUp + i, together);
            }
            return (allocatedOnEventLoops() - before) / (double) (measured * receivers);
        } finally {
            close(all);
        }
    }

    /**
     * The bounds on bytes per delivery, on the NIO transport (Quarkus' default), each a little over what was measured,
     * with a margin under the smallest object a recipient could add (16 bytes). The frame is encoded once; a connection
     * that gets one broadcast in a turn takes its own view of it (a duplicate, wrapped so that its release leaves the
     * shared bytes alone) in an outbound buffer entry, plus the NIO buffers the JDK channel is handed (the native epoll
     * transport writes from the memory address instead): 200.8 bytes measured. Broadcasts of one turn go to a connection
     * copied together, one entry and one buffer for all: 23.9 bytes per delivery measured.
     */
    static final double ALONE_BOUND = 212;
    static final double TOGETHER_BOUND = 35;

    static void broadcast(RawConnection sender, List<RawConnection> receivers, int from, int count) throws IOException {
        sender.out.write(events(from, count));
        sender.out.flush();
        receive(receivers, from, count);
    }

    /** Bytes the server's event loops have allocated so far (the test's own sockets are blocking, on its thread). */
    static long allocatedOnEventLoops() {
        return EventLoopAllocations.allocatedOnEventLoops();
    }
}
