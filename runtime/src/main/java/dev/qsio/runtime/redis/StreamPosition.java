package dev.qsio.runtime.redis;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * How far this server's reader of the adapter's stream has gone: the id of the last entry it applied (its broadcast
 * delivered to this server's sockets), and the restorations waiting for it to reach an offset.
 */
final class StreamPosition {

    private static final Logger LOG = Logger.getLogger(StreamPosition.class);

    private record Waiter(long[] offset, Promise<Void> promise) {
    }

    private final Vertx vertx;
    /** {@code $} until the first entry: the reader starts at the stream's end. */
    private volatile String lastId = "$";
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    StreamPosition(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Where the next read starts. */
    String lastId() {
        return lastId;
    }

    /** The entry of this id has been applied. */
    void applied(String id) {
        lastId = id;
    }

    /** A read's entries have all been applied: the restorations waiting for them go on. */
    void batchApplied() {
        if (waiters.isEmpty()) {
            return;
        }
        waiters.removeIf(w -> {
            if (!reached(w.offset)) {
                return false;
            }
            w.promise.tryComplete();
            return true;
        });
    }

    /**
     * Completes once the reader has applied the entries up to {@code offset}, or after {@code maxWaitMs} (a reader that
     * cannot read should not hold a client back). A session is restored only then: the client saw the entries up to
     * its offset on the server it came from, and one this server applied after the socket joined its rooms would reach
     * it a second time. An offset that is not an entry's id, and a reader that has applied nothing yet (it started at
     * the stream's end, so the entries before never come to it), wait for nothing.
     */
    Future<Void> reached(String offset, long maxWaitMs) {
        long[] target = StreamEntries.parseId(offset);
        if (target == null || reached(target)) {
            return Future.succeededFuture();
        }
        Waiter w = new Waiter(target, Promise.promise());
        waiters.add(w);
        if (reached(target)) {
            // the reader passed it while this was being added
            waiters.remove(w);
            w.promise.tryComplete();
        } else {
            vertx.setTimer(maxWaitMs, t -> {
                if (waiters.remove(w)) {
                    LOG.debugf("the stream's reader did not reach %s within %d ms: restoring anyway", offset, maxWaitMs);
                    w.promise.tryComplete();
                }
            });
        }
        return w.promise.future();
    }

    private boolean reached(long[] target) {
        long[] last = StreamEntries.parseId(lastId);
        return last == null || StreamEntries.compareIds(last, target) >= 0;
    }
}
