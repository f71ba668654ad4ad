package dev.qsio.runtime.bus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * A worker's end of the {@code local} bus: one loopback connection to the primary, which relays between workers.
 * The connection is authenticated with the secret the primary put in the worker's environment.
 */
public final class LocalBus implements Bus {

    private static final Logger LOG = Logger.getLogger(LocalBus.class);

    /** The member id of the primary, for CONTROL messages. */
    public static final int PRIMARY_SLOT = 0;

    private final Vertx vertx;
    private final String nodeId;
    private final int slot;
    private final int workerId;
    private final int port;
    private final String secret;
    private final Duration heartbeat;
    private volatile Runnable onPrimaryLost = () -> {
    };
    private final Map<Channel, List<Listener>> listeners = new EnumMap<>(Channel.class);
    private final Map<Integer, Integer> members = new ConcurrentHashMap<>();
    private volatile NetSocket socket;
    private volatile boolean up;
    private volatile boolean closing;
    private volatile long roundTripNanos = -1;
    private long heartbeatTimer = -1;

    public LocalBus(Vertx vertx, String nodeId, int slot, int workerId, int port, String secret, Duration heartbeat) {
        this.vertx = vertx;
        this.nodeId = nodeId;
        this.slot = slot;
        this.workerId = workerId;
        this.port = port;
        this.secret = secret;
        this.heartbeat = heartbeat;
        for (Channel c : Channel.ALL) {
            listeners.put(c, new CopyOnWriteArrayList<>());
        }
    }

    /** Sets what happens when the connection to the primary closes without this worker asking for it. */
    public void onPrimaryLost(Runnable action) {
        this.onPrimaryLost = action;
    }

    /** The member id of a slot of this node. */
    public String memberId(int memberSlot) {
        return nodeId + "/" + memberSlot;
    }

    /** The slot of a member id of this node, or -1. */
    public int slotOfMember(String member) {
        return slotOf(member, nodeId);
    }

    /** The slot of a member id of a node, or -1. */
    static int slotOf(String member, String nodeId) {
        int slash = member.lastIndexOf('/');
        if (slash < 0 || !member.substring(0, slash).equals(nodeId)) {
            return -1;
        }
        try {
            return Integer.parseInt(member.substring(slash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The worker id of a member, or -1 if unknown. */
    public int workerOf(String member) {
        Integer w = members.get(slotOf(member, nodeId));
        return w == null ? -1 : w;
    }

    /** Connects and authenticates; completes when the primary welcomed this worker. */
    public Future<Void> connect() {
        Promise<Void> welcomed = Promise.promise();
        vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000).setTcpNoDelay(true))
                .connect(port, "127.0.0.1").onComplete(ar -> {
                    if (ar.failed()) {
                        welcomed.fail(ar.cause());
                        return;
                    }
                    NetSocket s = ar.result();
                    socket = s;
                    s.handler(Frames.parser(frame -> onFrame(frame, welcomed), () -> {
                        LOG.error("Invalid frame from the primary; closing the bus link");
                        s.close();
                    }));
                    s.closeHandler(v -> onClosed(welcomed));
                    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
                    Buffer hello = Buffer.buffer().appendInt(slot).appendInt(workerId).appendLong(ProcessHandle.current().pid())
                            .appendInt(secretBytes.length).appendBytes(secretBytes);
                    s.write(Frames.frame(Frames.HELLO, hello));
                });
        return welcomed.future();
    }

    private void onFrame(Buffer frame, Promise<Void> welcomed) {
        byte kind = frame.getByte(0);
        switch (kind) {
            case Frames.WELCOME -> {
                updateMembers(MemberList.decode(frame, 1));
                up = true;
                heartbeatTimer = vertx.setPeriodic(heartbeat.toMillis(), t -> {
                    NetSocket s = socket;
                    if (s != null && up) {
                        s.write(Frames.frame(Frames.HEARTBEAT, Buffer.buffer(8).appendLong(System.nanoTime())));
                    }
                });
                welcomed.tryComplete();
            }
            case Frames.REFUSED -> welcomed.tryFail(frame.getString(1, frame.length(), "UTF-8"));
            case Frames.MEMBERS -> updateMembers(MemberList.decode(frame, 1));
            case Frames.HEARTBEAT -> {
                if (frame.length() >= 9) {
                    roundTripNanos = System.nanoTime() - frame.getLong(1);
                }
            }
            case Frames.DELIVER -> {
                int from = frame.getInt(1);
                Channel channel = Channel.ALL[frame.getByte(5)];
                Buffer payload = frame.slice(6, frame.length());
                String member = from == PRIMARY_SLOT ? "primary" : memberId(from);
                for (Listener l : listeners.get(channel)) {
                    try {
                        l.onMessage(member, payload);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "Bus listener failed on a %s message from %s", channel, member);
                    }
                }
            }
            default -> LOG.debugf("ignoring bus frame of kind %d", kind);
        }
    }

    private void updateMembers(MemberList list) {
        Set<Integer> before = Set.copyOf(members.keySet());
        members.clear();
        members.putAll(list.workersBySlot());
        for (Integer s : list.workersBySlot().keySet()) {
            if (!before.contains(s) && s != slot) {
                listeners.values().forEach(ls -> ls.forEach(l -> l.onMemberJoined(memberId(s))));
            }
        }
        for (Integer s : before) {
            if (!members.containsKey(s) && s != slot) {
                listeners.values().forEach(ls -> ls.forEach(l -> l.onMemberLeft(memberId(s))));
            }
        }
    }

    private void onClosed(Promise<Void> welcomed) {
        boolean wasUp = up;
        up = false;
        socket = null;
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        welcomed.tryFail("the primary closed the bus connection");
        if (!closing && wasUp) {
            onPrimaryLost.run();
        }
    }

    /** Closes the link on purpose (this worker is stopping). */
    public void close() {
        closing = true;
        NetSocket s = socket;
        if (s != null) {
            s.close();
        }
    }

    /** The last measured round trip of a heartbeat to the primary, in nanoseconds, or -1. */
    public long roundTripNanos() {
        return roundTripNanos;
    }

    @Override
    public String self() {
        return memberId(slot);
    }

    /** The bus slots of the live workers of this node, this one included. */
    public Set<Integer> slots() {
        return Set.copyOf(members.keySet());
    }

    /** This worker's bus slot. */
    public int slot() {
        return slot;
    }

    @Override
    public Set<String> members() {
        return members.keySet().stream().map(this::memberId).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public boolean isUp() {
        return up;
    }

    @Override
    public void publish(Channel channel, Buffer payload) {
        write(Frames.ALL, channel, payload);
    }

    @Override
    public void send(String member, Channel channel, Buffer payload) {
        int target = "primary".equals(member) ? PRIMARY_SLOT : slotOf(member, nodeId);
        if (target < 0) {
            LOG.debugf("dropping a message for %s: not a member of this node", member);
            return;
        }
        write(target, channel, payload);
    }

    private void write(int target, Channel channel, Buffer payload) {
        NetSocket s = socket;
        if (s == null || !up) {
            return;
        }
        int length = 1 + 4 + 1 + payload.length();
        s.write(Buffer.buffer(4 + length).appendInt(length).appendByte(Frames.RELAY).appendInt(target)
                .appendByte((byte) channel.ordinal()).appendBuffer(payload));
    }

    @Override
    public void listen(Channel channel, Listener listener) {
        listeners.get(channel).add(listener);
    }
}
