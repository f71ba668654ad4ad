package dev.qsio.runtime.emitter;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.qsio.SocketIoEmitter;
import dev.qsio.runtime.cluster.Wires;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.wire.WireContext;
import dev.qsio.runtime.wire.WireEmitter;
import dev.qsio.runtime.wire.WireProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * The application's {@link SocketIoEmitter}, on the wire of {@code quarkus.socketio.emitter.bus} (its
 * {@link WireProvider#emitter}): made at startup when configured (a wrong configuration fails startup naming the key),
 * and closed at shutdown.
 */
@Singleton
public class Emitters {

    private static final Logger LOG = Logger.getLogger(Emitters.class);
    static final String KEY = "quarkus.socketio.emitter.bus";

    @Inject
    EmitterConfig config;

    @Inject
    ClusterConfig cluster;

    @Inject
    ProtocolJson json;

    @Inject
    Vertx vertx;

    private SocketIoEmitter emitter;
    private WireEmitter wire;

    void startup(@Observes StartupEvent event) {
        if (config.bus().isPresent()) {
            emitter();
        }
    }

    @Produces
    @Singleton
    SocketIoEmitter socketIoEmitter() {
        return emitter();
    }

    private synchronized SocketIoEmitter emitter() {
        if (emitter != null) {
            return emitter;
        }
        SocketIoRuntimeConfig.BusKind bus = config.bus().orElseThrow(() -> new ConfigurationException("A SocketIoEmitter "
                + "needs " + KEY + "=<a wire between hosts> (redis, postgres; and the settings of that wire, as the "
                + "servers of the fleet have them)", Set.of(KEY)));
        WireProvider provider = Wires.chosen(bus);
        if (provider == null) {
            throw new ConfigurationException(KEY + "=local names no wire between hosts: an emitter reaches the servers "
                    + "of a fleet on their wire (redis, postgres)", Set.of(KEY));
        }
        // an emitter is no member: it sends no heartbeat and keeps no recovery state
        wire = provider.emitter(new WireContext(vertx, json, "emitter", 0, cluster.heartbeatInterval(),
                cluster.heartbeatTimeout(), 0, 0));
        connect(provider);
        emitter = new EmitterImpl(wire);
        return emitter;
    }

    /** Waits a few seconds for the wire, as servers do; one not there yet is retried, and emits meanwhile dropped. */
    private void connect(WireProvider provider) {
        try {
            wire.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConfigurationException c) {
                throw c;
            }
            warnNotReachable(provider, e.getCause() == null ? e.toString() : e.getCause().getMessage());
        } catch (Exception e) {
            warnNotReachable(provider, e.toString());
        }
    }

    private void warnNotReachable(WireProvider provider, String why) {
        LOG.warnf("Socket.IO emitter: %s at %s is not reachable yet (%s); emits are dropped until it answers",
                provider.displayName(), wire.address(), why);
    }

    void shutdown(@Observes ShutdownEvent event) {
        if (wire != null) {
            wire.close();
        }
    }
}
