package dev.qsio.runtime.clusteradapter;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * The cluster adapter's messages on a {@link Bus} (the local bus between the workers of a host), encoded by
 * {@link BusCodec} on the bus's adapter channel. The bus knows its members, so requests wait for them by name and
 * stop waiting for one that leaves.
 */
public final class BusAdapterLink extends AdapterLinkBase {

    private static final Logger LOG = Logger.getLogger(BusAdapterLink.class);

    private final Bus bus;
    private final BusCodec codec;

    public BusAdapterLink(Bus bus, ProtocolJson json) {
        super(bus);
        this.bus = bus;
        this.codec = new BusCodec(json);
    }

    /** The adapter's messages travel on the bus's adapter channel. */
    @Override
    protected void onBusMessage(String from, Buffer payload) {
        AdapterMessage message;
        try {
            message = codec.decode(payload);
        } catch (IOException e) {
            LOG.debugf("bad adapter message from %s: %s", from, e.getMessage());
            return;
        }
        hub.onMessage(from, message);
    }

    @Override
    public void publish(AdapterMessage message) {
        bus.publish(Bus.Channel.ADAPTER, codec.encode(message));
    }

    @Override
    public void respond(String requester, AdapterMessage response) {
        bus.send(requester, Bus.Channel.ADAPTER, codec.encode(response));
    }

    @Override
    public Future<Others> others(String namespace) {
        return Future.succeededFuture(othersNow());
    }

    @Override
    public Others othersNow() {
        Set<String> others = new HashSet<>(bus.members());
        others.remove(uid);
        return Others.named(others);
    }
}
