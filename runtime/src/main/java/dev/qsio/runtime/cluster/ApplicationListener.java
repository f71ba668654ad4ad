package dev.qsio.runtime.cluster;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Verticle;
import io.vertx.core.Vertx;
import io.vertx.core.impl.Deployment;
import io.vertx.core.impl.VertxInternal;

/**
 * Stops this process's application HTTP listener while the process goes on: with SO_REUSEPORT, new connections then
 * go to the other workers.
 * <p>
 * Quarkus offers no way to stop its HTTP server alone. It runs its HTTP servers in one verticle deployment
 * ({@code VertxHttpRecorder$WebDeploymentVerticle}), which is found here by class name through Vert.x internals and
 * undeployed. This is the only place that depends on that name; {@code ApplicationListenerTest} fails when a Quarkus
 * upgrade changes it, and at run time a missing verticle fails the returned future instead of passing silently.
 */
public final class ApplicationListener {

    private static final Logger LOG = Logger.getLogger(ApplicationListener.class);
    private static final String HTTP_VERTICLE = "WebDeploymentVerticle";

    private ApplicationListener() {
    }

    /** Closes the listener; fails when Quarkus' HTTP verticle is not found among the deployments there are. */
    public static Future<Void> close(Vertx vertx) {
        if (vertx.deploymentIDs().isEmpty()) {
            // Quarkus' own shutdown undeployed it already (a SIGTERM reaches its shutdown tasks first)
            LOG.debug("the application HTTP listener is closed already");
            return Future.succeededFuture();
        }
        VertxInternal internal = (VertxInternal) vertx;
        List<Future<Void>> closed = new ArrayList<>();
        for (String id : vertx.deploymentIDs()) {
            Deployment deployment = internal.getDeployment(id);
            if (deployment == null) {
                continue;
            }
            // every deployment of the verticle: Quarkus may deploy one per address it listens on
            if (deployment.getVerticles().stream().anyMatch(v -> v.getClass().getName().endsWith(HTTP_VERTICLE))) {
                LOG.debugf("closing the application HTTP listener (deployment %s)", id);
                closed.add(vertx.undeploy(id));
            }
        }
        if (closed.isEmpty()) {
            return Future.failedFuture("Quarkus' HTTP verticle (" + HTTP_VERTICLE + ") was not found among the "
                    + vertx.deploymentIDs().size() + " deployments; the listener stays open");
        }
        return Future.all(closed).mapEmpty();
    }
}
