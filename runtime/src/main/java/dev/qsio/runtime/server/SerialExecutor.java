package dev.qsio.runtime.server;

import java.util.ArrayDeque;

import org.jboss.logging.Logger;

import io.vertx.core.Context;

/**
 * Runs one socket's handlers one after the other, in submission order: blocking ones on a worker thread,
 * non-blocking ones on the socket's event loop. A task starts when the previous one has returned.
 */
final class SerialExecutor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class);

    private record Task(boolean blocking, Runnable body) {
    }

    private final Context context;
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Context context) {
        this.context = context;
    }

    void submit(boolean blocking, Runnable body) {
        Task task = new Task(blocking, body);
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
        if (task.blocking) {
            context.executeBlocking(() -> {
                run(task);
                return null;
            }, false);
        } else if (Context.isOnEventLoopThread() && Context.isOnVertxThread() && context == io.vertx.core.Vertx.currentContext()) {
            run(task);
        } else {
            context.runOnContext(v -> run(task));
        }
    }

    private void run(Task task) {
        try {
            task.body.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Socket.IO handler task failed");
        } finally {
            next();
        }
    }

    private void next() {
        Task task;
        synchronized (this) {
            task = queue.poll();
            if (task == null) {
                running = false;
                return;
            }
        }
        if (!task.blocking && Context.isOnEventLoopThread() && io.vertx.core.Vertx.currentContext() == context) {
            // continue on the event loop without growing the stack unboundedly
            context.runOnContext(v -> run(task));
        } else {
            start(task);
        }
    }
}
