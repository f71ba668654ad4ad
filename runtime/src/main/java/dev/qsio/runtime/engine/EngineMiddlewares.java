package dev.qsio.runtime.engine;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.qsio.EngineMiddleware;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * The application's {@link EngineMiddleware} beans, in their order, and the run of an HTTP request of the engine
 * through them. A middleware that completes at once costs no event-loop turn; one that waits pauses the request (its
 * body stays unread in the connection) until it completes, then the request goes on on its own context.
 */
final class EngineMiddlewares {

    private static final Logger LOG = Logger.getLogger(EngineMiddlewares.class);

    static final EngineMiddlewares NONE = new EngineMiddlewares(List.of());

    /** A middleware bean, its order and its bean class's name (for the logs; not its client proxy's). */
    record Ordered(EngineMiddleware middleware, int priority, String name) {
    }

    private final List<Ordered> middlewares;

    EngineMiddlewares(List<Ordered> middlewares) {
        this.middlewares = middlewares.stream()
                .sorted(Comparator.comparingInt(Ordered::priority).thenComparing(Ordered::name)).toList();
    }

    /** Whether the application has any: then no WebTransport session can open (a middleware cannot run for one). */
    boolean present() {
        return !middlewares.isEmpty();
    }

    /** Their bean classes, in their order. */
    List<String> names() {
        return middlewares.stream().map(Ordered::name).toList();
    }

    /**
     * Runs the request through every middleware, then {@code then}; or stops at one that answered the request
     * (ended its response), or that failed ({@code refused} then answers it). Nothing runs once the client is gone.
     */
    void run(RoutingContext ctx, Runnable then, Runnable refused) {
        if (middlewares.isEmpty()) {
            then.run();
            return;
        }
        new Run(ctx, then, refused).next();
    }

    /** One request's way through the middlewares; on the request's event loop, but for the completions it awaits. */
    private final class Run {
        final RoutingContext ctx;
        final Runnable then;
        final Runnable refused;
        int index;
        /** The request's context, where it goes on after a middleware that waited. */
        Context context;

        Run(RoutingContext ctx, Runnable then, Runnable refused) {
            this.ctx = ctx;
            this.then = then;
            this.refused = refused;
        }

        void next() {
            while (true) {
                if (ctx.response().ended() || ctx.response().closed()) {
                    // answered by the last middleware, or its client left
                    return;
                }
                if (index == middlewares.size()) {
                    then.run();
                    return;
                }
                Ordered m = middlewares.get(index++);
                Uni<Void> result;
                try {
                    result = m.middleware().apply(ctx);
                } catch (RuntimeException e) {
                    failed(m, e);
                    return;
                }
                if (result == null) {
                    continue;
                }
                // at once (the common case): the loop goes on; later: the request waits, paused, on its context
                context = Vertx.currentContext();
                Step step = new Step();
                result.subscribe().with(v -> step.completed(null, m), e -> step.completed(e, m));
                if (step.state.compareAndSet(Step.RUNNING, Step.WAITING)) {
                    ctx.request().pause();
                    return;
                }
                if (step.failure != null) {
                    failed(m, step.failure);
                    return;
                }
            }
        }

        /** A middleware's completion, in its call or later on any thread. */
        private final class Step {
            static final int RUNNING = 0;
            static final int DONE = 1;
            static final int WAITING = 2;
            final AtomicInteger state = new AtomicInteger(RUNNING);
            volatile Throwable failure;

            void completed(Throwable e, Ordered m) {
                failure = e;
                if (!state.compareAndSet(RUNNING, DONE)) {
                    resume(e, m);
                }
            }
        }

        /** A middleware that waited has completed (on any thread): the request goes on on its context. */
        private void resume(Throwable failure, Ordered m) {
            Context c = context;
            Runnable go = () -> {
                ctx.request().resume();
                if (failure != null) {
                    failed(m, failure);
                } else {
                    next();
                }
            };
            if (c == null || Vertx.currentContext() == c) {
                go.run();
            } else {
                c.runOnContext(v -> go.run());
            }
        }

        private void failed(Ordered m, Throwable e) {
            LOG.debugf("engine middleware %s refused %s %s: %s", m.name(), ctx.request().method(), ctx.request().uri(),
                    e.toString());
            if (!ctx.response().ended() && !ctx.response().closed()) {
                refused.run();
            }
        }
    }
}
