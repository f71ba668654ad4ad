package dev.qsio.runtime.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig.SlowConsumer.Policy;
import dev.qsio.runtime.protocol.PacketDecoder;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Which namespaces' events a client that does not keep up may miss ({@code quarkus.socketio.slow-consumer.policy} and
 * {@code namespace."/name".policy}): those of a {@code drop-oldest} namespace are marked droppable as they are
 * written, and the engine drops the oldest of them for a slow client ({@code dev.qsio.runtime.engine.Drops}); the
 * client is told the count by the event {@link #droppedEvent()}. Checked at startup.
 */
public record SlowConsumerPolicies(Policy fallback, Map<String, Policy> byNamespace, String droppedEvent) {

    /** Reads and checks the configuration; a bad value fails startup with a message naming its key. */
    public static SlowConsumerPolicies from(SocketIoRuntimeConfig.SlowConsumer config) {
        Map<String, Policy> byNamespace = new HashMap<>();
        config.namespace().forEach((name, settings) -> {
            if (!name.startsWith("/")) {
                String key = "quarkus.socketio.slow-consumer.namespace.\"" + name + "\".policy";
                throw new ConfigurationException(key + ": a namespace's name starts with '/', got '" + name + "'",
                        Set.of(key));
            }
            byNamespace.put(name, settings.policy());
        });
        String event = config.droppedEvent();
        if (event.isBlank() || PacketDecoder.RESERVED.contains(event)) {
            throw new ConfigurationException("quarkus.socketio.slow-consumer.dropped-event must be an event name a client "
                    + "can listen to (not empty, not one of " + PacketDecoder.RESERVED + "), got '" + event + "'",
                    Set.of("quarkus.socketio.slow-consumer.dropped-event"));
        }
        return new SlowConsumerPolicies(config.policy(), Map.copyOf(byNamespace), event);
    }

    /** What the events of namespace {@code name} are marked with to be droppable: its name; null when they are not. */
    public String dropGroup(String name) {
        return byNamespace.getOrDefault(name, fallback) == Policy.DROP_OLDEST ? name : null;
    }
}
