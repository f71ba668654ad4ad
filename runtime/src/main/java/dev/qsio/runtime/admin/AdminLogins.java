package dev.qsio.runtime.admin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.runtime.figures.Counters;
import dev.qsio.runtime.figures.Counts;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The limits on the Admin UI's logins with a user name and password. Each address may fail a number of times within a
 * window, counted from its first failure; past them its logins are refused at once, without a bcrypt check, until the
 * window ends. A login under way counts as a failure until its password matches, so that parallel guesses from one
 * address cannot pass the limit. The passwords are checked on threads of their own, with a bounded queue: a login
 * that finds it full is refused as busy, so that a guesser slows neither the worker pool nor the other logins beyond
 * the queue. At most {@link #MAX_ADDRESSES} addresses are tracked; while that many have failures in their window,
 * the logins of every other address share one window.
 */
final class AdminLogins {

    static final int MAX_ADDRESSES = 10_000;
    /** The window shared by the addresses beyond {@link #MAX_ADDRESSES}. */
    private static final String OTHERS = "(other addresses)";
    private static final Logger LOG = Logger.getLogger(AdminLogins.class);

    /** The failures of one address in its current window. */
    private static final class Window {
        long start;
        int failures;
        /** Logins of the address whose password is being checked: each may yet fail. */
        int checking;
        boolean logged;

        Window(long start) {
            this.start = start;
        }

        boolean expired(long now, long windowMillis) {
            return now - start >= windowMillis;
        }
    }

    private final int maxFailures;
    private final long windowMillis;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong nextPurge = new AtomicLong();
    private final AtomicLong nextBusyLog = new AtomicLong();
    private final ThreadPoolExecutor checks;
    private final Counters<AdminLoginFigure> counters = new Counters<>(AdminLoginFigure.class);

    AdminLogins(int maxFailures, Duration window, int threads, int queueSize) {
        this.maxFailures = maxFailures;
        this.windowMillis = window.toMillis();
        BlockingQueue<Runnable> queue = queueSize == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueSize);
        AtomicInteger n = new AtomicInteger();
        this.checks = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue, r -> {
            Thread t = new Thread(r, "qsio-admin-login-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Checks the password of a login from an address (its host, without port): a {@link ConnectionRefusedException}
     * at once when the address is past its limit or the checks are busy, else whether {@code check} passed, on the
     * caller's Vert.x context.
     */
    Uni<Boolean> check(String address, BooleanSupplier check) {
        return Uni.createFrom().emitter(emitter -> {
            long now = System.currentTimeMillis();
            Window window;
            try {
                window = begin(address, now);
            } catch (ConnectionRefusedException e) {
                emitter.fail(e);
                return;
            }
            Context context = Vertx.currentContext();
            try {
                checks.execute(() -> {
                    boolean ok;
                    try {
                        counters.increment(AdminLoginFigure.CHECKED);
                        ok = check.getAsBoolean();
                    } catch (RuntimeException e) {
                        end(window, false);
                        deliver(context, () -> emitter.fail(e));
                        return;
                    }
                    end(window, !ok);
                    if (!ok) {
                        counters.increment(AdminLoginFigure.REFUSED_INVALID_CREDENTIALS);
                    }
                    deliver(context, () -> emitter.complete(ok));
                });
            } catch (RejectedExecutionException e) {
                end(window, false);
                counters.increment(AdminLoginFigure.REFUSED_BUSY);
                long at = nextBusyLog.get();
                if (now >= at && nextBusyLog.compareAndSet(at, now + windowMillis)) {
                    LOG.infof("Admin UI: logins refused as busy: %d password checks running and %d waiting",
                            checks.getActiveCount(), checks.getQueue().size());
                }
                emitter.fail(new ConnectionRefusedException("too many logins under way, retry later",
                        Map.of("reason", "busy")));
            }
        });
    }

    /**
     * Starts the check of a login of an address, or refuses it when the address is past its limit: its failures of
     * the window, and the logins being checked that may fail yet, are at most the limit together (a guesser that sends
     * many at once gets no more checks than one that waits for each answer).
     */
    private Window begin(String address, long now) {
        String key = tracked(address == null ? "(unknown address)" : address, now);
        while (true) {
            Window window = windows.computeIfAbsent(key, k -> new Window(now));
            synchronized (window) {
                if (windows.get(key) != window) {
                    // purged meanwhile
                    continue;
                }
                if (window.expired(now, windowMillis)) {
                    window.start = now;
                    window.failures = 0;
                    window.logged = false;
                }
                if (window.failures + window.checking < maxFailures) {
                    window.checking++;
                    return window;
                }
                counters.increment(AdminLoginFigure.REFUSED_RATE_LIMITED);
                if (window.failures < maxFailures) {
                    // not failed: as many as the limit are being checked, any of which may fail
                    throw new ConnectionRefusedException("too many logins under way from this address, retry later",
                            Map.of("reason", "rate-limited", "retryAfter", 1));
                }
                long retryAfter = Math.max(1, (window.start + windowMillis - now + 999) / 1000);
                if (!window.logged) {
                    window.logged = true;
                    LOG.infof("Admin UI: %d failed logins from %s within %d s: its logins are refused for %d s",
                            window.failures, key, windowMillis / 1000, retryAfter);
                }
                throw new ConnectionRefusedException("too many failed logins, retry in " + retryAfter + " s",
                        Map.of("reason", "rate-limited", "retryAfter", retryAfter));
            }
        }
    }

    /** The key an address's failures are counted under: its own while fewer than the most addresses are tracked. */
    private String tracked(String address, long now) {
        if (windows.containsKey(address) || windows.size() < MAX_ADDRESSES) {
            return address;
        }
        long at = nextPurge.get();
        if (now >= at && nextPurge.compareAndSet(at, now + Math.max(1000, windowMillis / 10))) {
            windows.values().removeIf(w -> {
                synchronized (w) {
                    return w.expired(now, windowMillis) && w.checking == 0;
                }
            });
        }
        return windows.size() < MAX_ADDRESSES ? address : OTHERS;
    }

    /** The end of a login's check: a failure of its window when {@code failed}. */
    private static void end(Window window, boolean failed) {
        synchronized (window) {
            window.checking--;
            if (failed) {
                window.failures++;
            }
        }
    }

    private static void deliver(Context context, Runnable action) {
        if (context == null) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    /** The addresses whose failures are counted now (at most {@link #MAX_ADDRESSES} and the shared window). */
    int trackedAddresses() {
        return windows.size();
    }

    /** The figures so far. */
    Counts<AdminLoginFigure> figures() {
        return counters.snapshot();
    }

    /** Ends the password checks; those waiting are dropped. */
    void close() {
        checks.shutdownNow();
    }
}
