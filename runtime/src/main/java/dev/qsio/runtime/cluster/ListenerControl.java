package dev.qsio.runtime.cluster;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Verticle;
import io.vertx.core.Vertx;
import io.vertx.core.impl.Deployment;
import io.vertx.core.impl.VertxInternal;

/**
 * Stops this worker's application HTTP listener while the process goes on: with SO_REUSEPORT, new connections then
 * go to the other workers. Quarkus runs its HTTP servers in one verticle deployment, which is undeployed here.
 */
final class ListenerControl {

    private static final Logger LOG = Logger.getLogger(ListenerControl.class);
    private static final String HTTP_VERTICLE = "WebDeploymentVerticle";

    private ListenerControl() {
    }

    static Future<Void> closeApplicationListener(Vertx vertx) {
        VertxInternal internal = (VertxInternal) vertx;
        for (String id : vertx.deploymentIDs()) {
            Deployment deployment = internal.getDeployment(id);
            if (deployment == null) {
                continue;
            }
            for (Verticle verticle : deployment.getVerticles()) {
                if (verticle.getClass().getName().endsWith(HTTP_VERTICLE)) {
                    LOG.debugf("closing the application HTTP listener (deployment %s)", id);
                    return vertx.undeploy(id);
                }
            }
        }
        LOG.debug("no application HTTP listener to close");
        return Future.succeededFuture();
    }
}
