package dev.qsio.runtime.server;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.protocol.ProtocolJson;
import dev.qsio.runtime.requests.RequestTracker;
import dev.qsio.runtime.spans.Tracing;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * What the Socket.IO server shares with the layers around it, made once: the protocol's JSON, the handler methods,
 * the {@code @OnBroadcast} hooks, the counters, the tracker of requests to other servers and the tracing hooks.
 * Separate beans, so that the cluster adapter uses them without depending on the server.
 */
@Singleton
public class ServerSetup {

    @Produces
    @Singleton
    ProtocolJson protocolJson(ObjectMapper application, SocketIoRuntimeConfig config) {
        return ProtocolJson.from(application, ProtocolJson.Parser.valueOf(config.parser().name()));
    }

    @Produces
    @Singleton
    Handlers handlers(SocketIoMetadata metadata, ProtocolJson json) {
        return new Handlers(metadata.handlers(), metadata.declarations(), json.mapper());
    }

    @Produces
    @Singleton
    BroadcastHooks broadcastHooks(Handlers handlers, ProtocolJson json, Vertx vertx, ClusterInfo identity) {
        return new BroadcastHooks(handlers.broadcast, json.mapper(), vertx.getOrCreateContext(), identity.workerId(),
                identity.nodeId());
    }

    /**
     * The limits on what a client sends, from the configuration and the handlers' {@code @OnEvent(rateLimit = ...)};
     * checked when the application starts (a bad value fails it, naming its key).
     */
    @Produces
    @Singleton
    InboundLimits.Options inboundLimits(SocketIoRuntimeConfig config, SocketIoMetadata metadata) {
        return InboundLimits.Options.from(config.inbound(), metadata.handlers());
    }

    /** Which namespaces' events a slow client may miss; checked when the application starts. */
    @Produces
    @Singleton
    SlowConsumerPolicies slowConsumerPolicies(SocketIoRuntimeConfig config) {
        return SlowConsumerPolicies.from(config.slowConsumer());
    }

    /** The cap of connections per identity; checked when the application starts. */
    @Produces
    @Singleton
    IdentityCaps identityCaps(SocketIoRuntimeConfig config, IdentityLeases leases, ServerStats stats, Vertx vertx) {
        return IdentityCaps.from(config.limits(), leases, stats, vertx);
    }

    void stopIdentityCaps(@Disposes IdentityCaps caps) {
        caps.stop();
    }

    /** Makes the limits, the policies and the caps when the application starts (their settings are checked before). */
    void startAtStartup(@Observes StartupEvent event, InboundLimits.Options inbound, SlowConsumerPolicies policies,
            IdentityCaps caps) {
        // nothing to do: asking for them made them
    }

    @Produces
    @Singleton
    ServerStats serverStats() {
        return new ServerStats();
    }

    @Produces
    @Singleton
    RequestTracker requests(Vertx vertx) {
        return new RequestTracker(vertx);
    }

    /** No spans, unless the tracing view (with {@code quarkus-opentelemetry}) provides its own. */
    @Produces
    @Singleton
    @DefaultBean
    Tracing tracing() {
        return Tracing.NONE;
    }
}
