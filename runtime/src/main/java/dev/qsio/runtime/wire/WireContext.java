package dev.qsio.runtime.wire;

import java.lang.annotation.Annotation;
import java.time.Duration;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.runtime.protocol.ProtocolJson;
import io.quarkus.arc.Arc;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.Vertx;

/**
 * What a {@link WireProvider} is given to make a server's {@link Wire}.
 *
 * @param vertx the application's Vert.x, for connections and timers
 * @param json the protocol's Jackson setup, for the adapter messages
 * @param nodeId this server's node (host) id ({@code quarkus.socketio.cluster.node-id}), the first part of its member id
 * @param workerId this server's worker id (0 in a single process)
 * @param heartbeat how often a member says it is alive ({@code quarkus.socketio.cluster.heartbeat-interval})
 * @param heartbeatTimeout how long a member may stay silent before it has left
 *        ({@code quarkus.socketio.cluster.heartbeat-timeout})
 * @param recoveryWindowMs how long connection state recovery keeps a disconnected socket's state, or 0 when it is off
 * @param recoveryLogBytes the most a server keeps in memory of the broadcasts logged for recovery
 *        ({@code quarkus.socketio.connection-state-recovery.max-log-bytes})
 */
public record WireContext(Vertx vertx, ProtocolJson json, String nodeId, int workerId, Duration heartbeat,
        Duration heartbeatTimeout, long recoveryWindowMs, long recoveryLogBytes) {

    /** The wire's configuration group: a {@code @ConfigMapping} root of its package ({@code quarkus.socketio.<name>}). */
    public <T> T config(Class<T> mapping) {
        return ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(mapping);
    }

    /**
     * A bean of the application that the wire uses, a client the application configured (PostgreSQL's reactive pool,
     * say), or null when there is none. ArC removes beans that nothing injects: a bean looked up here must be
     * unremovable (the extension that makes it, or this one's processor, says so).
     *
     * @param qualifiers the bean's qualifiers (a named datasource's pool is {@code @ReactiveDataSource("name")}), none
     *        for the default bean
     * @throws RuntimeException when the bean cannot be made (its configuration is wrong)
     */
    public <T> T bean(Class<T> type, Annotation... qualifiers) {
        return Arc.container().instance(type, qualifiers).get();
    }
}
