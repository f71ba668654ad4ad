package dev.qsio.runtime.cluster;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.annotations.Recorder;
import io.quarkus.runtime.shutdown.ShutdownListener;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The bootstrap generated at build time: decides the role of the process and starts the primary or joins the
 * cluster as a worker, before the HTTP server starts.
 */
@Recorder
public class ClusterRecorder {

    public void bootstrap() {
        Arc.container().instance(ClusterLifecycle.class).get().bootstrap();
    }

    /** The primary's address in the line Quarkus logs once started, after Quarkus set that line's listeners. */
    public void announceListening() {
        Arc.container().instance(ClusterLifecycle.class).get().announceListening();
    }

    /** Closes the sessions of a process that serves clients before Quarkus closes its HTTP server. */
    public ShutdownListener drainFirst() {
        return new DrainFirst();
    }

    /** The cluster endpoints of the management interface. */
    public Handler<RoutingContext> endpoint() {
        return new ClusterEndpoint();
    }
}
