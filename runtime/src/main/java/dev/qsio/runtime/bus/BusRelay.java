package dev.qsio.runtime.bus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The primary's end of the {@code local} bus: a loopback server that authenticates workers with the per-launch
 * secret and relays their payloads, and watches their heartbeats.
 */
public final class BusRelay {

    private static final Logger LOG = Logger.getLogger(BusRelay.class);
    /** Peers connected and not yet authenticated, at most; more are closed at once. */
    static final int MAX_UNAUTHENTICATED = 16;
    /** Connections at most, workers included (a primary runs far fewer workers). */
    static final int MAX_CONNECTIONS = 1024;
    static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** What the relay tells the supervisor. */
    public interface Events {
        void onJoined(int slot, int workerId, long pid);

        void onLeft(int slot, int workerId);

        /**
         * No heartbeat for longer than the heartbeat timeout: the worker may be paused (a long GC, a stalled VM). It
         * stays on the bus (what is sent to it waits in its link) and may resume.
         */
        void onStalled(int slot, int workerId, long silentMs);

        /** A stalled worker spoke again. */
        void onResumed(int slot, int workerId, long silentMs);

        /**
         * No heartbeat for longer than the stall timeout: the worker is alive as a process but not answering; it has
         * been removed from the bus.
         */
        void onUnresponsive(int slot, int workerId);

        /** A CONTROL payload a worker sent to the primary. */
        void onControl(int slot, int workerId, Buffer payload);
    }

    private static final class WorkerConnection {
        final NetSocket socket;
        final int slot;
        final int workerId;
        volatile long lastSeen = System.nanoTime();
        /** Silent past the heartbeat timeout, and not heard from since. */
        volatile boolean stalled;

        WorkerConnection(NetSocket socket, int slot, int workerId) {
            this.socket = socket;
            this.slot = slot;
            this.workerId = workerId;
        }
    }

    private final Vertx vertx;
    private final byte[] secret;
    private final Duration heartbeatTimeout;
    private final Duration stallTimeout;
    private final Events events;
    private final Map<Integer, WorkerConnection> workers = new ConcurrentHashMap<>();
    /** Connections that have not authenticated yet; at most MAX_UNAUTHENTICATED at a time. */
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);
    private NetServer server;
    private long watchdog = -1;

    /**
     * @param heartbeatTimeout silence after which a worker is reported stalled
     * @param stallTimeout silence after which a worker is removed from the bus and reported unresponsive (at least
     *        the heartbeat timeout)
     */
    public BusRelay(Vertx vertx, String secret, Duration heartbeatTimeout, Duration stallTimeout, Events events) {
        this.vertx = vertx;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.heartbeatTimeout = heartbeatTimeout;
        this.stallTimeout = stallTimeout.compareTo(heartbeatTimeout) < 0 ? heartbeatTimeout : stallTimeout;
        this.events = events;
    }

    /** Listens on a free loopback port; completes with the port. */
    public Future<Integer> start() {
        server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
        server.connectHandler(this::accept);
        long check = Math.max(100, heartbeatTimeout.toMillis() / 4);
        watchdog = vertx.setPeriodic(check, t -> checkHeartbeats());
        return server.listen().map(NetServer::actualPort);
    }

    /** Connections not authenticated yet. */
    int unauthenticatedConnections() {
        return unauthenticated.get();
    }

    private void accept(NetSocket socket) {
        if (unauthenticated.get() >= MAX_UNAUTHENTICATED || workers.size() + unauthenticated.get() >= MAX_CONNECTIONS) {
            refused(socket, "too many connections");
            socket.close();
            return;
        }
        unauthenticated.incrementAndGet();
        WorkerConnection[] connection = new WorkerConnection[1];
        boolean[] settled = new boolean[1];
        Runnable settle = () -> {
            if (!settled[0]) {
                settled[0] = true;
                unauthenticated.decrementAndGet();
            }
        };
        // a peer that does not authenticate at once is dropped
        long timer = vertx.setTimer(5000, t -> {
            if (connection[0] == null) {
                settle.run();
                socket.close();
            }
        });
        socket.handler(Frames.parser(frame -> {
            byte kind = frame.getByte(0);
            if (connection[0] == null) {
                if (settled[0]) {
                    return; // refused: closing
                }
                vertx.cancelTimer(timer);
                settle.run();
                connection[0] = authenticate(socket, kind, frame);
                return;
            }
            WorkerConnection l = connection[0];
            long now = System.nanoTime();
            long silentMs = (now - l.lastSeen) / 1_000_000;
            l.lastSeen = now;
            if (l.stalled) {
                resumed(l, silentMs);
            }
            if (kind == Frames.RELAY) {
                relay(l, frame.getInt(1), frame.slice(5, frame.length()));
            } else if (kind == Frames.HEARTBEAT && frame.length() > 1) {
                // echoed, so that the worker measures the round trip
                socket.write(Frames.frame(Frames.HEARTBEAT, frame.slice(1, frame.length())));
            }
        }, () -> {
            if (connection[0] == null) {
                settle.run();
                refused(socket, "a frame over " + Frames.MAX_UNAUTHENTICATED_FRAME + " bytes before authenticating");
            }
            socket.close();
        }, () -> connection[0] == null ? Frames.MAX_UNAUTHENTICATED_FRAME : Frames.MAX_FRAME));
        socket.closeHandler(v -> {
            vertx.cancelTimer(timer);
            settle.run();
            WorkerConnection l = connection[0];
            if (l != null && workers.remove(l.slot, l)) {
                announce();
                events.onLeft(l.slot, l.workerId);
            }
        });
    }

    private WorkerConnection authenticate(NetSocket socket, byte kind, Buffer frame) {
        try {
            if (kind != Frames.HELLO) {
                throw new IllegalArgumentException("first frame is not HELLO");
            }
            int slot = frame.getInt(1);
            int workerId = frame.getInt(5);
            long pid = frame.getLong(9);
            int length = frame.getInt(17);
            // the declared length is checked before anything is sized by it (getBytes allocates first)
            if (length < 0 || length > frame.length() - 21) {
                throw new IllegalArgumentException("secret of " + length + " bytes declared in a frame of "
                        + frame.length());
            }
            byte[] presented = frame.getBytes(21, 21 + length);
            if (!MessageDigest.isEqual(presented, secret)) {
                throw new IllegalArgumentException("wrong secret");
            }
            if (slot <= 0 || workers.containsKey(slot)) {
                throw new IllegalArgumentException("slot " + slot + " is not free");
            }
            WorkerConnection link = new WorkerConnection(socket, slot, workerId);
            workers.put(slot, link);
            socket.write(Frames.frame(Frames.WELCOME, members().encode()));
            announce();
            events.onJoined(slot, workerId, pid);
            return link;
        } catch (RuntimeException e) {
            refused(socket, e.getMessage());
            socket.pause();
            socket.write(Frames.frame(Frames.REFUSED, Buffer.buffer("refused"))).onComplete(v -> socket.close());
            return null;
        }
    }

    /** A refused peer: logged at WARN at most once per interval, with the count of those refused meanwhile. */
    private void refused(NetSocket socket, String why) {
        long count = refusals.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
            refusals.set(0);
            LOG.warnf("Refused a bus connection from %s: %s%s", socket.remoteAddress(), why,
                    count > 1 ? " (" + (count - 1) + " more refused since the last such message)" : "");
        } else {
            LOG.debugf("Refused a bus connection from %s: %s", socket.remoteAddress(), why);
        }
    }

    private MemberList members() {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        workers.values().stream().sorted((a, b) -> Integer.compare(a.slot, b.slot)).forEach(l -> m.put(l.slot, l.workerId));
        return new MemberList(m);
    }

    private void announce() {
        Buffer frame = Frames.frame(Frames.MEMBERS, members().encode());
        workers.values().forEach(l -> l.socket.write(frame));
    }

    private void relay(WorkerConnection from, int target, Buffer payload) {
        if (target == LocalBus.PRIMARY_SLOT) {
            events.onControl(from.slot, from.workerId, payload.slice(1, payload.length()));
            return;
        }
        Buffer frame = Frames.frame(Frames.DELIVER, from.slot, payload);
        if (target == Frames.ALL) {
            for (WorkerConnection l : workers.values()) {
                if (l != from) {
                    l.socket.write(frame);
                }
            }
        } else {
            WorkerConnection to = workers.get(target);
            if (to != null) {
                to.socket.write(frame);
            }
        }
    }

    /** Sends a CONTROL payload from the primary to one worker (by slot). */
    public void control(int slot, Buffer payload) {
        WorkerConnection l = workers.get(slot);
        if (l != null) {
            l.socket.write(Frames.frame(Frames.DELIVER, LocalBus.PRIMARY_SLOT,
                    Buffer.buffer(1 + payload.length()).appendByte((byte) Bus.Channel.CONTROL.ordinal()).appendBuffer(payload)));
        }
    }

    public boolean connected(int slot) {
        return workers.containsKey(slot);
    }

    private void checkHeartbeats() {
        long now = System.nanoTime();
        for (WorkerConnection l : workers.values()) {
            long silent = now - l.lastSeen;
            if (silent > stallTimeout.toNanos()) {
                if (workers.remove(l.slot, l)) {
                    LOG.warnf("Worker %d (bus slot %d) sent no heartbeat for %d ms: removing it from the cluster",
                            l.workerId, l.slot, silent / 1_000_000);
                    announce();
                    l.socket.close();
                    events.onUnresponsive(l.slot, l.workerId);
                }
            } else if (silent > heartbeatTimeout.toNanos()) {
                stalled(l, silent / 1_000_000);
            }
        }
    }

    // (the watchdog's loop and the link's may differ: the events are told in the order the flag changed)
    private void stalled(WorkerConnection l, long silentMs) {
        synchronized (l) {
            if (!l.stalled && workers.containsKey(l.slot)) {
                l.stalled = true;
                events.onStalled(l.slot, l.workerId, silentMs);
            }
        }
    }

    private void resumed(WorkerConnection l, long silentMs) {
        synchronized (l) {
            if (l.stalled) {
                l.stalled = false;
                events.onResumed(l.slot, l.workerId, silentMs);
            }
        }
    }

    /** Drops a worker's link (it is being stopped or was declared dead). */
    public void disconnect(int slot) {
        WorkerConnection l = workers.remove(slot);
        if (l != null) {
            announce();
            l.socket.close();
        }
    }

    public void stop() {
        if (watchdog >= 0) {
            vertx.cancelTimer(watchdog);
        }
        workers.values().forEach(l -> l.socket.close());
        workers.clear();
        if (server != null) {
            server.close();
        }
    }
}
