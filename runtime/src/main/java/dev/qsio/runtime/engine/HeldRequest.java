package dev.qsio.runtime.engine;

import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A handshake request that waits, for its lazy authentication or for the asynchronous handshake filters, without
 * holding its event loop: paused (Vert.x upgrades a request to a WebSocket later only if it was), watched for its client
 * leaving, and continued on the request's own Vert.x context. A client that leaves meanwhile gets nothing: what the
 * request waits for is cancelled, and no session opens for it. Created and used on the request's context.
 */
final class HeldRequest implements HandshakeFilters.Loop {

    private static final Logger LOG = Logger.getLogger(HeldRequest.class);

    private final EngineServer<?> server;
    private final HttpServerRequest request;
    private final Context context;
    /** Stops what the request waits for now. */
    private Runnable waiting;
    private boolean over;

    HeldRequest(EngineServer<?> server, HttpServerRequest request) {
        this.server = server;
        this.request = request;
        this.context = server.vertx().getOrCreateContext();
        request.pause();
        request.response().closeHandler(v -> left());
        server.stats().add(EngineFigure.HANDSHAKES_WAITING, 1);
    }

    /** Waits for {@code uni}: {@code then} gets its item, or {@code failed} its failure, on the request's context. */
    <T> void await(Uni<T> uni, Consumer<T> then, Consumer<Throwable> failed) {
        waiting = uni.subscribe().with(item -> execute(() -> {
            if (!over) {
                then.accept(item);
            }
        }), e -> execute(() -> {
            if (!over) {
                failed.accept(e);
            }
        }))::cancel;
    }

    /** Waits for the asynchronous filters' decision. */
    void await(HandshakeFilters.Pending decision) {
        waiting = decision::abandon;
    }

    /**
     * Ends the wait: the request resumes. Returns false when its client left meanwhile: then nothing is to be answered
     * or opened.
     */
    boolean release() {
        if (over) {
            return false;
        }
        over = true;
        server.stats().add(EngineFigure.HANDSHAKES_WAITING, -1);
        HttpServerResponse response = request.response();
        response.closeHandler(null);
        if (response.closed()) {
            abandoned();
            return false;
        }
        request.resume();
        return true;
    }

    /** Its client closed the connection (or reset the stream) while it waited. */
    private void left() {
        if (over) {
            return;
        }
        over = true;
        server.stats().add(EngineFigure.HANDSHAKES_WAITING, -1);
        if (waiting != null) {
            waiting.run();
        }
        abandoned();
    }

    private void abandoned() {
        server.stats().increment(EngineFigure.HANDSHAKES_ABANDONED);
        LOG.debugf("a handshake from %s ended: its client left while it waited", request.remoteAddress());
    }

    /** Runs {@code task} on the request's context: at once when called there (a {@code Uni} that was resolved already). */
    @Override
    public void execute(Runnable task) {
        if (Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    @Override
    public Runnable schedule(long ms, Runnable task) {
        long timer = server.vertx().setTimer(ms, id -> execute(task));
        return () -> server.vertx().cancelTimer(timer);
    }
}
