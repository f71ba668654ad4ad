package dev.qsio.runtime.cluster;

import java.util.HashSet;
import java.util.Set;

import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.engine.EnginePeers;
import io.vertx.core.buffer.Buffer;

/** The engine's view of the other servers: the ENGINE channel of the bus. */
final class BusEnginePeers implements EnginePeers {

    private final Bus bus;

    BusEnginePeers(Bus bus) {
        this.bus = bus;
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
