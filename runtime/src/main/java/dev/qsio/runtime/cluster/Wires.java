package dev.qsio.runtime.cluster;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.postgres.PostgresWire;
import dev.qsio.runtime.redis.RedisWire;
import dev.qsio.runtime.wire.WireProvider;

/**
 * The registry of wires between hosts: each is one package whose {@link WireProvider} is listed here, chosen by
 * {@code quarkus.socketio.bus=<its name>}. {@code local} (the default) is no wire: the workers of a host reach each
 * other on their primary's local bus. An emitter ({@code quarkus.socketio.emitter.bus}) chooses its wire here too.
 */
public final class Wires {

    /** Every wire between hosts. */
    static final List<WireProvider> ALL = List.of(RedisWire.PROVIDER, PostgresWire.PROVIDER);

    private Wires() {
    }

    /** The wire {@code quarkus.socketio.bus} chooses, or null for {@code local}. */
    public static WireProvider chosen(SocketIoRuntimeConfig.BusKind bus) {
        if (bus == SocketIoRuntimeConfig.BusKind.LOCAL) {
            return null;
        }
        String name = bus.name().toLowerCase(Locale.ROOT);
        for (WireProvider wire : ALL) {
            if (wire.name().equals(name)) {
                return wire;
            }
        }
        throw new IllegalStateException("quarkus.socketio.bus=" + name + " names no registered wire");
    }

    /** How the configuration chooses the wires that keep connection state recovery's sessions. */
    static String keepingSessions() {
        return ALL.stream().filter(WireProvider::keepsSessions).map(w -> "quarkus.socketio.bus=" + w.name())
                .collect(Collectors.joining(" or "));
    }
}
