package dev.qsio.runtime.cluster;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Quarkus;
import sun.misc.Signal;

/**
 * The signals the primary answers:
 * <ul>
 * <li>{@code SIGTERM}, {@code SIGINT}: graceful shutdown of every worker, then exit with code 0;</li>
 * <li>{@code SIGUSR1}: rolling restart (HotSpot may reserve {@code SIGUSR2}, so it is not used);</li>
 * <li>{@code SIGTTIN} / {@code SIGTTOU}: one worker more / one worker less (as gunicorn).</li>
 * </ul>
 */
final class Signals {

    private static final Logger LOG = Logger.getLogger(Signals.class);

    private Signals() {
    }

    static void install(Primary primary) {
        handle("TERM", s -> exit());
        handle("INT", s -> exit());
        handle("USR1", s -> {
            LOG.info("SIGUSR1: rolling restart");
            primary.rollingRestart().subscribe().with(v -> {
            }, e -> {
            });
        });
        handle("TTIN", s -> {
            LOG.info("SIGTTIN: one more worker");
            try {
                primary.scaleUp(1).subscribe().with(v -> {
                }, e -> LOG.error("Scaling up failed", e));
            } catch (IllegalArgumentException e) {
                LOG.warn("SIGTTIN refused: " + e.getMessage());
            }
        });
        handle("TTOU", s -> {
            LOG.info("SIGTTOU: one worker less");
            primary.scaleDown(1).subscribe().with(v -> {
            }, e -> LOG.error("Scaling down failed", e));
        });
    }

    private static void exit() {
        LOG.info("Shutting down the cluster");
        // the shutdown of the application stops the workers gracefully (Primary.shutdown); the exit code is 0
        Quarkus.asyncExit(0);
    }

    private static void handle(String name, sun.misc.SignalHandler handler) {
        try {
            Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Signal %s is not available here (%s); it will not control the cluster", name, e.getMessage());
        }
    }
}
