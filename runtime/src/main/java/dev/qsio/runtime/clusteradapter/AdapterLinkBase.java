package dev.qsio.runtime.clusteradapter;

import dev.qsio.runtime.bus.Bus;
import io.vertx.core.buffer.Buffer;

/**
 * What every {@link AdapterLink} shares: its servers are the members of a {@link Bus} (the local bus between
 * the workers of a host, or a wire's bus between hosts). This server's id is its member id on that bus; the hub, once
 * {@link #start}ed, receives what the link receives; the bus's adapter channel tells who joins and who leaves,
 * and a server that left is no longer waited for.
 */
public abstract class AdapterLinkBase implements AdapterLink {

    private final Bus bus;
    /** This server's member id on the bus: the origin of what it sends. */
    protected final String uid;
    /** Where what arrives goes; set by {@link #start}, before anything is received. */
    protected ClusterHub hub;

    protected AdapterLinkBase(Bus bus) {
        this.bus = bus;
        this.uid = bus.self();
    }

    @Override
    public final String self() {
        return uid;
    }

    /** Keeps the hub, starts the link's own work ({@link #started()}), then follows the bus's members. */
    @Override
    public final void start(ClusterHub hub) {
        this.hub = hub;
        started();
        bus.listen(Bus.Channel.ADAPTER, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
                onBusMessage(from, payload);
            }

            @Override
            public void onMemberJoined(String member) {
                memberJoined(member);
            }

            @Override
            public void onMemberLeft(String member) {
                memberLeft(member);
            }
        });
    }

    /** What the link runs once the hub is known (timers, readers, listeners of its wire); nothing by default. */
    protected void started() {
    }

    /**
     * An adapter message on the bus itself. The wires between hosts carry theirs on channels of their own, in the
     * format of Node's adapter for the same service: by default nothing comes this way.
     */
    protected void onBusMessage(String from, Buffer payload) {
    }

    /** A server joined the bus; nothing by default. */
    protected void memberJoined(String member) {
    }

    /** A server left the bus (its heartbeats stopped): by default, the requests waiting for it stop waiting. */
    protected void memberLeft(String member) {
        hub.onMemberLeft(member);
    }
}
