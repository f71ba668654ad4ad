package dev.qsio.runtime.cluster;

import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.engine.EngineLink;
import io.vertx.core.buffer.Buffer;

/** The engine's view of the bus: its ENGINE channel. */
final class BusEngineLink implements EngineLink {

    private final Bus bus;

    BusEngineLink(Bus bus) {
        this.bus = bus;
    }

    @Override
    public String self() {
        return bus.self();
    }

    @Override
    public int others() {
        return Math.max(0, bus.members().size() - 1);
    }

    @Override
    public void publish(Buffer message) {
        bus.publish(Bus.Channel.ENGINE, message);
    }

    @Override
    public void send(String member, Buffer message) {
        bus.send(member, Bus.Channel.ENGINE, message);
    }
}
