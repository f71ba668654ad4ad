package dev.qsio.runtime.emitter;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.qsio.SocketIoEmitter;
import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.AdapterMessage.Selection;
import dev.qsio.runtime.clusteradapter.EventPayload;
import dev.qsio.runtime.wire.WireEmitter;

/**
 * The operators of {@link SocketIoEmitter}, whatever the wire: each narrowing makes a new emitter, and each operation
 * is one cluster adapter message that the wire's emitter encodes in its format (on Redis Node's Redis emitter's, on
 * PostgreSQL Node's PostgreSQL adapter's).
 */
final class EmitterImpl implements SocketIoEmitter {

    /** The events a client reserves for itself, as Node's emitters refuse them. */
    static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
            "removeListener");

    private final WireEmitter wire;
    private final String namespace;
    private final Set<String> rooms;
    private final Set<String> except;
    private final boolean volatileFlag;
    private final boolean compress;

    EmitterImpl(WireEmitter wire) {
        this(wire, "/", Set.of(), Set.of(), false, true);
    }

    private EmitterImpl(WireEmitter wire, String namespace, Set<String> rooms, Set<String> except,
            boolean volatileFlag, boolean compress) {
        this.wire = wire;
        this.namespace = namespace;
        this.rooms = rooms;
        this.except = except;
        this.volatileFlag = volatileFlag;
        this.compress = compress;
    }

    private static Set<String> plus(Set<String> set, String... more) {
        Set<String> all = new LinkedHashSet<>(set);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    @Override
    public SocketIoEmitter of(String namespace) {
        return new EmitterImpl(wire, namespace.startsWith("/") ? namespace : "/" + namespace, Set.of(), Set.of(), false,
                true);
    }

    @Override
    public SocketIoEmitter to(String... rooms) {
        return new EmitterImpl(wire, namespace, plus(this.rooms, rooms), except, volatileFlag, compress);
    }

    @Override
    public SocketIoEmitter except(String... rooms) {
        return new EmitterImpl(wire, namespace, this.rooms, plus(except, rooms), volatileFlag, compress);
    }

    @Override
    public SocketIoEmitter volatile_() {
        return new EmitterImpl(wire, namespace, rooms, except, true, compress);
    }

    @Override
    public SocketIoEmitter compress(boolean compress) {
        return new EmitterImpl(wire, namespace, rooms, except, volatileFlag, compress);
    }

    private Selection selection() {
        return new Selection(rooms, except);
    }

    @Override
    public void emit(String event, Object... args) {
        if (RESERVED.contains(event)) {
            throw new IllegalArgumentException("\"" + event + "\" is a reserved event name");
        }
        wire.emit(new AdapterMessage.Broadcast(WireEmitter.ORIGIN, namespace, EventPayload.of(event, args, null), selection(),
                volatileFlag, compress, false, false, null, 0));
    }

    @Override
    public void socketsJoin(String... rooms) {
        wire.emit(new AdapterMessage.SocketsOperation(WireEmitter.ORIGIN, namespace, AdapterMessage.Operation.JOIN, selection(),
                Set.of(rooms), false));
    }

    @Override
    public void socketsLeave(String... rooms) {
        wire.emit(new AdapterMessage.SocketsOperation(WireEmitter.ORIGIN, namespace, AdapterMessage.Operation.LEAVE, selection(),
                Set.of(rooms), false));
    }

    @Override
    public void disconnectSockets(boolean close) {
        wire.emit(new AdapterMessage.SocketsOperation(WireEmitter.ORIGIN, namespace, AdapterMessage.Operation.DISCONNECT,
                selection(), Set.of(), close));
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        if (RESERVED.contains(event)) {
            throw new IllegalArgumentException("\"" + event + "\" is a reserved event name");
        }
        wire.emit(new AdapterMessage.ServerSideEmit(WireEmitter.ORIGIN, namespace, null, EventPayload.of(event, args, null)));
    }
}
