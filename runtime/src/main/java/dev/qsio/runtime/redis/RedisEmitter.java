package dev.qsio.runtime.redis;

import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.clusteradapter.AdapterMessage;
import dev.qsio.runtime.clusteradapter.NodeMessages;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.wire.WireContext;
import dev.qsio.runtime.wire.WireEmitter;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Future;

/**
 * An emitter's messages on Redis, as Node's {@code @socket.io/redis-emitter} 5 writes them (the format of the classic
 * {@code @socket.io/redis-adapter}, which this server's Redis wire and Node's servers read): a broadcast is msgpack
 * {@code ["emitter", packet, opts]} on {@code <key>#<nsp>#}, or {@code <key>#<nsp>#<room>#} when it targets exactly
 * one room; the sockets operations and server-side emits are JSON requests on {@code <key>-request#<nsp>#}. On one
 * Redis (or its sentinels) only: Node's emitter has no format for a Redis Cluster.
 */
final class RedisEmitter implements WireEmitter {

    /** Node's {@code RequestType} of the classic adapter. */
    private static final int REMOTE_JOIN = 2;
    private static final int REMOTE_LEAVE = 3;
    private static final int REMOTE_DISCONNECT = 4;
    private static final int SERVER_SIDE_EMIT = 6;

    private final RedisChannels redis;
    private final String key;
    private final ProtocolJson protocol;
    private final NodeMessages wire;

    RedisEmitter(WireContext context, RedisConfig config) {
        if (config.mode() == RedisConfig.Mode.CLUSTER) {
            throw new ConfigurationException("quarkus.socketio.emitter.bus=redis writes the format of Node's redis "
                    + "emitter, which a Redis Cluster (quarkus.socketio.redis.mode=cluster) does not carry",
                    Set.of("quarkus.socketio.emitter.bus", "quarkus.socketio.redis.mode"));
        }
        this.redis = RedisWire.standalone(context, config);
        this.key = config.key();
        this.protocol = context.json();
        this.wire = new NodeMessages(protocol.mapper());
    }

    @Override
    public Future<Void> start() {
        return redis.start().recover(RedisWire::misconfigured);
    }

    @Override
    public void close() {
        redis.close();
    }

    @Override
    public String address() {
        return redis.displayUrl();
    }

    @Override
    public void emit(AdapterMessage message) {
        try {
            if (message instanceof AdapterMessage.Broadcast b) {
                ObjectNode opts = wire.opts(b);
                ArrayNode m = wire.json.createArrayNode().add(ORIGIN.member());
                m.add(wire.packetObject(b.namespace(), b.payload().data(protocol)));
                m.add(opts);
                String channel = key + "#" + b.namespace() + "#";
                if (b.selection().rooms().size() == 1) {
                    channel += b.selection().rooms().iterator().next() + "#";
                }
                redis.publish(channel, wire.pack(m));
            } else if (message instanceof AdapterMessage.SocketsOperation o) {
                ObjectNode request = wire.json.createObjectNode().put("uid", ORIGIN.member()).put("type",
                        switch (o.operation()) {
                            case JOIN -> REMOTE_JOIN;
                            case LEAVE -> REMOTE_LEAVE;
                            case DISCONNECT -> REMOTE_DISCONNECT;
                        });
                request.set("opts", wire.opts(o.selection()));
                if (o.operation() == AdapterMessage.Operation.DISCONNECT) {
                    request.put("close", o.close());
                } else {
                    ArrayNode rooms = request.putArray("rooms");
                    o.rooms().forEach(rooms::add);
                }
                redis.publish(key + "-request#" + o.namespace() + "#", wire.jsonBytes(request));
            } else if (message instanceof AdapterMessage.ServerSideEmit e) {
                ObjectNode request = wire.json.createObjectNode().put("uid", ORIGIN.member())
                        .put("type", SERVER_SIDE_EMIT);
                request.set("data", e.payload().data(protocol));
                redis.publish(key + "-request#" + e.namespace() + "#", wire.jsonBytes(request));
            }
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("Cannot encode a " + message.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }
}
