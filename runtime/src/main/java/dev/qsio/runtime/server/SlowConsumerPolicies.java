package dev.qsio.runtime.server;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig.SlowConsumer.Policy;
import dev.qsio.runtime.engine.SlowConsumers.Lag;
import dev.qsio.runtime.protocol.PacketDecoder;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The slow-consumer settings of each namespace ({@code quarkus.socketio.slow-consumer.*} and
 * {@code namespace."/name".*}), checked at startup.
 * <ul>
 * <li>Which namespaces' events a client that does not keep up may miss: those of a {@code drop-oldest} namespace are
 * marked droppable as they are written, and the engine drops the oldest of them for a slow client
 * ({@code dev.qsio.runtime.engine.Drops}); the client is told the count by the event {@link #droppedEvent()}.</li>
 * <li>How long a client may stay behind, and by how much: a namespace's own {@code max-lag} and {@code lag-bytes}
 * hold each client connected to it, the strictest of its namespaces winning ({@link #lag(Collection)}).</li>
 * </ul>
 *
 * @param fallback the policy of a namespace that has none of its own
 * @param byNamespace the namespaces' own policies
 * @param process the process's lag rule
 * @param lagByNamespace the lag rules of the namespaces that have their own
 * @param droppedEvent the event that tells a client how many it missed
 */
public record SlowConsumerPolicies(Policy fallback, Map<String, Policy> byNamespace, Lag process,
        Map<String, Lag> lagByNamespace, String droppedEvent) {

    /** Reads and checks the configuration; a bad value fails startup with a message naming its key. */
    public static SlowConsumerPolicies from(SocketIoRuntimeConfig.SlowConsumer config) {
        Lag process = Lag.of(config.maxLag(), config.lagBytes(), "quarkus.socketio.slow-consumer.");
        Map<String, Policy> byNamespace = new HashMap<>();
        Map<String, Lag> lagByNamespace = new HashMap<>();
        config.namespace().forEach((name, settings) -> {
            String prefix = "quarkus.socketio.slow-consumer.namespace.\"" + name + "\".";
            if (!name.startsWith("/")) {
                String key = prefix + (settings.policy().isPresent() ? "policy"
                        : settings.maxLag().isPresent() ? "max-lag" : "lag-bytes");
                throw new ConfigurationException(key + ": a namespace's name starts with '/', got '" + name + "'",
                        Set.of(key));
            }
            settings.policy().ifPresent(p -> byNamespace.put(name, p));
            if (settings.maxLag().isPresent() || settings.lagBytes().isPresent()) {
                lagByNamespace.put(name, Lag.of(settings.maxLag().orElse(config.maxLag()),
                        settings.lagBytes().orElse(config.lagBytes()), prefix));
            }
        });
        String event = config.droppedEvent();
        if (event.isBlank() || PacketDecoder.RESERVED.contains(event)) {
            throw new ConfigurationException("quarkus.socketio.slow-consumer.dropped-event must be an event name a client "
                    + "can listen to (not empty, not one of " + PacketDecoder.RESERVED + "), got '" + event + "'",
                    Set.of("quarkus.socketio.slow-consumer.dropped-event"));
        }
        return new SlowConsumerPolicies(config.policy(), Map.copyOf(byNamespace), process, Map.copyOf(lagByNamespace),
                event);
    }

    /** What the events of namespace {@code name} are marked with to be droppable: its name; null when they are not. */
    public String dropGroup(String name) {
        return byNamespace.getOrDefault(name, fallback) == Policy.DROP_OLDEST ? name : null;
    }

    /**
     * The lag rule of a client connected to the namespaces named {@code names}: the strictest of theirs, each
     * namespace without its own counting as the process's; null (the process's, which the engine applies by itself)
     * when none of them has its own.
     */
    public Lag lag(Collection<String> names) {
        Lag strictest = null;
        boolean anyOwn = false;
        for (String name : names) {
            Lag own = lagByNamespace.get(name);
            anyOwn |= own != null;
            Lag rule = own != null ? own : process;
            strictest = strictest == null ? rule : strictest.strictest(rule);
        }
        return anyOwn ? strictest : null;
    }
}
