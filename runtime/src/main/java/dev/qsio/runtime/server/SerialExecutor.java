package dev.qsio.runtime.server;

import java.util.ArrayDeque;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.qsio.runtime.internals.FrameworkInternals;
import dev.qsio.runtime.server.HandlerDefinition.ExecutionModel;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs one socket's handlers one after the other, in submission order, each where its execution model says: on the
 * socket's event loop, on a worker thread, or on a virtual thread. A task starts when the previous one has returned,
 * so a socket's events are handled in order whatever mix of models its handlers use.
 */
final class SerialExecutor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class);

    /** A task: a body that is done when it returns, or (on the event loop) one done when its {@code Uni} ends. */
    private record Task(ExecutionModel model, Runnable body, Supplier<Uni<?>> async) {
    }

    /**
     * How deep tasks may chain on the event loop within one turn before the next goes to a later turn. A task that
     * submits another (an event's dispatch, its handler) is followed at once, so that an event read from a connection
     * is handled in the same turn as the read: the writes of a broadcast made by its handler are then flushed once
     * for all the events of that read, not once per event. The bound keeps the stack small when tasks keep
     * submitting tasks.
     */
    static final int MAX_INLINE_DEPTH = 16;

    private final Context context;
    /** Small at first: most sockets have at most one handler running and one waiting (a default deque costs 84 bytes). */
    private final ArrayDeque<Task> queue = new ArrayDeque<>(2);
    /**
     * Tasks that the running task submitted as part of its own work ({@link #submitNext}): they run before the
     * queue. Null until first used.
     */
    private ArrayDeque<Task> soon;
    private boolean running;
    /** Tasks chained on the event loop in the current turn; only touched on that loop. */
    private int inlineDepth;

    SerialExecutor(Context context) {
        this.context = context;
    }

    void submit(ExecutionModel model, Runnable body) {
        submit(new Task(model, body, null));
    }

    /**
     * Submits a task that runs on the event loop and is done when the {@code Uni} it returns completes (or fails):
     * the tasks after it wait for it. The {@code Uni} must complete.
     */
    void submitAsync(Supplier<Uni<?>> body) {
        submit(new Task(ExecutionModel.EVENT_LOOP, null, body));
    }

    /**
     * From within a running task of this executor: a task that is part of it (an event's handlers, submitted by the
     * event's dispatch), run right after it and those it submitted so before, ahead of the tasks queued meanwhile (a
     * DISCONNECT read after the event submits the disconnect handlers, which must not overtake the event's).
     */
    void submitNext(ExecutionModel model, Runnable body) {
        submitNext(new Task(model, body, null));
    }

    /** {@link #submitAsync} as a part of the running task, see {@link #submitNext(ExecutionModel, Runnable)}. */
    void submitNextAsync(Supplier<Uni<?>> body) {
        submitNext(new Task(ExecutionModel.EVENT_LOOP, null, body));
    }

    private void submitNext(Task task) {
        synchronized (this) {
            if (running) {
                if (soon == null) {
                    soon = new ArrayDeque<>(2);
                }
                soon.add(task);
                return;
            }
            running = true;
        }
        start(task);
    }

    private void submit(Task task) {
        synchronized (this) {
            if (running) {
                queue.add(task);
                return;
            }
            running = true;
        }
        start(task);
    }

    private void start(Task task) {
        switch (task.model) {
            case WORKER -> context.executeBlocking(() -> {
                run(task);
                return null;
            }, false);
            case VIRTUAL_THREAD -> FrameworkInternals.virtualThreads().execute(() -> run(task));
            case EVENT_LOOP -> {
                if (onOwnEventLoop()) {
                    run(task);
                } else {
                    context.runOnContext(v -> run(task));
                }
            }
        }
    }

    /** The next task, a part of the one that ended first; null (and nothing running) when there is none. */
    private synchronized Task poll() {
        Task task = soon == null ? null : soon.poll();
        if (task == null) {
            task = queue.poll();
        }
        if (task == null) {
            running = false;
        }
        return task;
    }

    private boolean onOwnEventLoop() {
        return Context.isOnEventLoopThread() && Vertx.currentContext() == context;
    }

    private void run(Task task) {
        if (task.async != null) {
            Uni<?> done;
            try {
                done = task.async.get();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Socket.IO handler task failed");
                next();
                return;
            }
            done.subscribe().with(v -> next(), f -> {
                LOG.errorf(f, "Socket.IO handler task failed");
                next();
            });
            return;
        }
        try {
            task.body.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Socket.IO handler task failed");
        } finally {
            next();
        }
    }

    private void next() {
        Task task = poll();
        if (task == null) {
            return;
        }
        if (task.model == ExecutionModel.EVENT_LOOP && onOwnEventLoop()) {
            if (inlineDepth < MAX_INLINE_DEPTH) {
                inlineDepth++;
                try {
                    run(task);
                } finally {
                    inlineDepth--;
                }
            } else {
                // continue on the event loop without growing the stack unboundedly
                context.runOnContext(v -> run(task));
            }
        } else {
            start(task);
        }
    }
}
