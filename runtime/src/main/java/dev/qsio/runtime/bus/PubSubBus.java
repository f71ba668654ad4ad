package dev.qsio.runtime.bus;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A bus between hosts over a broker's channels ({@link BusChannels}: Redis pub/sub for {@link RedisBus}, PostgreSQL
 * {@code LISTEN}/{@code NOTIFY}), so that the cluster spans hosts: every server (a worker, or a single process) is a
 * member. Members find each other with heartbeats on a channel of their own ({@code <key>-bus#}) and receive direct
 * messages on {@code <key>-bus#<member>#}.
 * <p>
 * While the broker is away the bus is down: nothing is sent, and the other members are forgotten; on its return they
 * meet again.
 * <p>
 * A broker that keeps the connections open but answers nothing (a stopped or frozen server, a network dropping
 * everything silently) is noticed by the member's own heartbeats: each goes out on one connection and comes back on
 * the subscribed one. When none has come back for the heartbeat timeout, or a connection attempt gets no answer for
 * three times as long, the connections are dropped and made again, and the bus is down meanwhile.
 */
public class PubSubBus implements Bus {

    private static final Logger LOG = Logger.getLogger(PubSubBus.class);

    private static final byte HELLO = 1;
    private static final byte JOIN = 2;
    private static final byte BYE = 3;
    private static final byte DATA = 4;

    private final Vertx vertx;
    private final BusChannels channels;
    /** The broker's name in log lines: "Redis", "PostgreSQL". */
    private final String broker;
    private final String self;
    private final Duration heartbeat;
    private final Duration heartbeatTimeout;
    private final String allChannel;
    private final Map<Channel, List<Listener>> listeners = new EnumMap<>(Channel.class);
    /** Other members and when each was last heard from (nanoTime). */
    private final Map<String, Long> members = new ConcurrentHashMap<>();
    private long heartbeatTimer = -1;
    /** When this member's own heartbeat last came back through the broker (or the bus came up), as nanoTime. */
    private volatile long echoed = System.nanoTime();
    /** When the last heartbeat tick ran: a tick long after it means this process was paused, not the broker. */
    private long lastTick = System.nanoTime();

    public PubSubBus(Vertx vertx, BusChannels channels, String broker, String key, String nodeId, int workerId,
            Duration heartbeat, Duration heartbeatTimeout) {
        this.vertx = vertx;
        this.channels = channels;
        this.broker = broker;
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        // the node and worker for people reading logs; the random part keeps two processes with one host name apart
        this.self = nodeId + "/" + Math.max(workerId, 0) + "." + HexFormat.of().formatHex(random);
        this.heartbeat = heartbeat;
        this.heartbeatTimeout = heartbeatTimeout;
        this.allChannel = key + "-bus#";
        for (Channel c : Channel.ALL) {
            listeners.put(c, new CopyOnWriteArrayList<>());
        }
        channels.subscribe(allChannel, (channel, payload) -> onFrame(payload));
        channels.subscribe(allChannel + self + "#", (channel, payload) -> onFrame(payload));
        channels.onUp(() -> {
            echoed = System.nanoTime();
            LOG.debugf("Socket.IO bus: joined over %s as %s", broker, self);
            announce(JOIN, allChannel);
        });
        channels.onDown(() -> Set.copyOf(members.keySet()).forEach(this::memberLeft));
    }

    /** Connects to the broker and starts the heartbeats; completes as {@link BusChannels#start()} does. */
    public Future<Void> start() {
        heartbeatTimer = vertx.setPeriodic(heartbeat.toMillis(), t -> tick());
        return channels.start();
    }

    public BusChannels channels() {
        return channels;
    }

    private void tick() {
        long now = System.nanoTime();
        long timeout = heartbeatTimeout.toNanos();
        if (now - lastTick > 2 * heartbeat.toNanos()) {
            // this process was paused (a long GC, SIGSTOP): what the broker sent meanwhile waits to be read
            echoed = now;
        }
        lastTick = now;
        if (!channels.isUp()) {
            // three times as long: an attempt makes several round trips (a Redis Cluster's, one per master), and a
            // busy machine slows each; one given up too early would be given up again and again
            long started = channels.attemptStarted();
            if (started >= 0 && now - started > 3 * timeout) {
                channels.unresponsive("a connection attempt got no answer for " + 3 * heartbeatTimeout.toMillis()
                        + " ms");
            }
            return;
        }
        if (now - echoed > timeout) {
            echoed = now;
            channels.unresponsive("no answer from " + broker + " for " + heartbeatTimeout.toMillis()
                    + " ms: this server's own heartbeats did not come back");
            return;
        }
        announce(HELLO, allChannel);
        members.forEach((member, seen) -> {
            if (now - seen > heartbeatTimeout.toNanos()) {
                LOG.infof("Socket.IO bus: %s sent no heartbeat for %d ms; it left the cluster", member,
                        heartbeatTimeout.toMillis());
                memberLeft(member);
            }
        });
    }

    private void announce(byte kind, String channel) {
        channels.publish(channel, frame(kind).appendByte((byte) 0));
    }

    private Buffer frame(byte kind) {
        byte[] from = self.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer(8 + from.length).appendByte(kind).appendShort((short) from.length).appendBytes(from);
    }

    private void onFrame(Buffer frame) {
        if (frame.length() < 4) {
            return;
        }
        byte kind = frame.getByte(0);
        int n = frame.getShort(1);
        String from = frame.getString(3, 3 + n, "UTF-8");
        if (from.equals(self)) {
            echoed = System.nanoTime();
            return;
        }
        int pos = 3 + n;
        Long before = members.put(from, System.nanoTime());
        if (kind == BYE) {
            members.remove(from);
            if (before != null) {
                fireLeft(from);
            }
            return;
        }
        if (before == null) {
            LOG.debugf("Socket.IO bus: %s joined", from);
            listeners.values().forEach(ls -> ls.forEach(l -> l.onMemberJoined(from)));
        }
        switch (kind) {
            case JOIN -> announce(HELLO, allChannel + from + "#");
            case DATA -> {
                Channel channel = Channel.ALL[frame.getByte(pos)];
                Buffer payload = frame.slice(pos + 1, frame.length());
                for (Listener l : listeners.get(channel)) {
                    try {
                        l.onMessage(from, payload);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "Bus listener failed on a %s message from %s", channel, from);
                    }
                }
            }
            default -> {
            }
        }
    }

    private void memberLeft(String member) {
        if (members.remove(member) != null) {
            fireLeft(member);
        }
    }

    private void fireLeft(String member) {
        listeners.values().forEach(ls -> ls.forEach(l -> l.onMemberLeft(member)));
    }

    // ---- Bus

    @Override
    public String self() {
        return self;
    }

    @Override
    public Set<String> members() {
        Set<String> all = new HashSet<>(members.keySet());
        all.add(self);
        return all;
    }

    @Override
    public boolean isUp() {
        return channels.isUp();
    }

    @Override
    public void publish(Channel channel, Buffer payload) {
        channels.publish(allChannel, frame(DATA).appendByte((byte) channel.ordinal()).appendBuffer(payload));
    }

    @Override
    public void send(String member, Channel channel, Buffer payload) {
        channels.publish(allChannel + member + "#", frame(DATA).appendByte((byte) channel.ordinal()).appendBuffer(payload));
    }

    @Override
    public void listen(Channel channel, Listener listener) {
        listeners.get(channel).add(listener);
    }

    /** Says goodbye and closes the connections. */
    public void close() {
        if (channels.isUp()) {
            announce(BYE, allChannel);
        }
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        channels.close();
    }
}
