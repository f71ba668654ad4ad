package dev.qsio.runtime.server;

import dev.qsio.runtime.config.Checks;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;

/**
 * The rules of the Socket.IO server's settings: its timers and caps, the inbound limits, the slow consumers' policies
 * and the cap per identity. A value that breaks one fails startup with a message naming the key.
 */
public final class ServerSettings {

    private ServerSettings() {
    }

    public static void check(SocketIoRuntimeConfig config) {
        Checks.positive("quarkus.socketio.connect-timeout", config.connectTimeout());
        Checks.positive("quarkus.socketio.ack-timeout", config.ackTimeout());
        Checks.within("quarkus.socketio.max-attachments", config.maxAttachments(), 0, Integer.MAX_VALUE);
        Checks.within("quarkus.socketio.max-namespaces-per-connection", config.maxNamespacesPerConnection(), 1,
                Integer.MAX_VALUE);
        InboundLimits.Options.fromConfig(config.inbound());
        SlowConsumerPolicies.from(config.slowConsumer());
        IdentityCaps.check(config.limits());
    }
}
