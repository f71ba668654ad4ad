package dev.qsio.runtime.cluster;

import java.util.HashSet;
import java.util.Set;

import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.remote.EnginePeers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The engine's view of the other servers: the ENGINE channel of the bus, and, on a host of several workers, the
 * session ids that name their owner and the hand-off of connections to it.
 */
final class BusEnginePeers implements EnginePeers {

    private final Bus bus;
    private final HostSessions host;

    /**
     * @param host the sessions of this host and the hand-off of their connections, or null when this process is
     *        not a worker or does not hand connections over
     */
    BusEnginePeers(Bus bus, HostSessions host) {
        this.bus = bus;
        this.host = host;
    }

    @Override
    public String newSessionId() {
        return host == null ? EnginePeers.super.newSessionId() : host.newSessionId();
    }

    @Override
    public HandOff handOff(String sid, HttpServerRequest request) {
        return host == null ? null : host.handOff(sid, request);
    }

    @Override
    public boolean closesIdleConnections() {
        // a worker of this host: its connections come from the primary, which gives new ones to the session's owner
        return host != null;
    }

    @Override
    public boolean requestsReachOwners() {
        for (String member : bus.members()) {
            if (!member.equals(bus.self()) && (host == null || !bus.sameHost(member))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String self() {
        return bus.self();
    }

    @Override
    public Set<String> others() {
        Set<String> others = new HashSet<>(bus.members());
        others.remove(bus.self());
        return others;
    }

    @Override
    public void publish(Buffer message) {
        bus.publish(Bus.Channel.ENGINE, message);
    }

    @Override
    public void send(String member, Buffer message) {
        bus.send(member, Bus.Channel.ENGINE, message);
    }

    @Override
    public void receive(Receiver receiver) {
        bus.listen(Bus.Channel.ENGINE, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
                receiver.onMessage(from, payload);
            }

            @Override
            public void onMemberLeft(String member) {
                receiver.onMemberLeft(member);
            }
        });
    }
}
