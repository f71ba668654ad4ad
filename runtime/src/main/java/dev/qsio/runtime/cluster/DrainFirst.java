package dev.qsio.runtime.cluster;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.shutdown.ShutdownListener;

/**
 * Closes this process's sessions at the very start of its shutdown, before Quarkus closes the HTTP server. Shutdown
 * observers run after that close: a drain there found every connection already cut (a polling client's pending
 * request got an empty reply instead of its close packet, and the requests the drain still had to answer, such as a
 * polling client's next poll or a connection handed over by the primary, found no server to take them).
 * {@code quarkus.socketio.drain-spread} so spreads the closes while their connections can still carry them.
 */
public final class DrainFirst implements ShutdownListener {

    @Override
    public void preShutdown(ShutdownNotification notification) {
        try {
            var lifecycle = Arc.container() == null ? null : Arc.container().instance(ClusterLifecycle.class);
            if (lifecycle != null && lifecycle.isAvailable()) {
                lifecycle.get().drainFirst();
            }
        } finally {
            notification.done();
        }
    }
}
