package dev.qsio.runtime.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.qsio.AsyncHandshakeFilter;
import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The application's handshake filters as one decision (Node's {@code allowRequest}): every {@link HandshakeFilter}
 * first, at once on the event loop (they are cheap), then every {@link AsyncHandshakeFilter} one after the other, each
 * asked on the handshake's event loop once the one before has allowed; the first refusal wins. The asynchronous ones of
 * one handshake have {@code handshake-filter-timeout} together.
 */
final class HandshakeFilters {

    private static final Logger LOG = Logger.getLogger(HandshakeFilters.class);

    static final String TIMED_OUT = "Handshake check timed out";
    private static final long TIMEOUT_LOG_INTERVAL_NANOS = 60_000_000_000L;

    /** No filter: every handshake is allowed at once. */
    static final HandshakeFilters NONE = new HandshakeFilters(List.of(), List.of(), 1);

    /** A filter bean, with the name of its class as the logs give it (not its client proxy's). */
    record Named<F>(F filter, String name) {
    }

    /**
     * What the filters said of a handshake: allowed, or refused with the HTTP answer its client gets ({@code status},
     * {@code message}, and {@code Retry-After} when above 0) and the figure that counts the refusal.
     */
    record Verdict(boolean allowed, int status, String message, int retryAfterSeconds, EngineFigure figure) {

        static final Verdict ALLOW = new Verdict(true, 200, null, 0, null);
        /** A filter threw, or its {@code Uni} failed: refused as the reference server refuses, without saying why. */
        static final Verdict FAILED = new Verdict(false, 403, "Forbidden", 0, EngineFigure.HANDSHAKES_FILTER_FAILED);

        static Verdict of(HandshakeFilter.Decision decision) {
            if (decision != null && decision.allowed()) {
                return ALLOW;
            }
            String message = decision == null || decision.message() == null ? "Forbidden" : decision.message();
            return new Verdict(false, 403, message, 0, EngineFigure.HANDSHAKES_FILTER_REFUSED);
        }
    }

    /** The event loop a handshake waits on: what follows its decision runs there, and its timeout fires there. */
    interface Loop {
        /** Runs {@code task} on this loop: later, or at once when called on it, as the loop chooses. */
        void execute(Runnable task);

        /** Runs {@code task} on this loop in {@code ms}; the returned action cancels it. */
        Runnable schedule(long ms, Runnable task);
    }

    /** An asynchronous decision under way. */
    interface Pending {
        /**
         * Stops it, on its loop, because its client left: the running {@code Uni} is cancelled and no verdict comes.
         * Returns false when the verdict had already come.
         */
        boolean abandon();
    }

    private final List<Named<HandshakeFilter>> filters;
    private final List<Named<AsyncHandshakeFilter>> asyncFilters;
    private final long timeoutMs;
    /** The answer past the timeout: 503, as the server could not decide; the client may come back after as long. */
    private final Verdict timedOut;
    /** The timeouts of each filter not logged yet, and when one was last logged: a store that stops answering logs once a minute. */
    private final Map<String, long[]> timeoutLogs = new ConcurrentHashMap<>();

    HandshakeFilters(List<Named<HandshakeFilter>> filters, List<Named<AsyncHandshakeFilter>> asyncFilters, long timeoutMs) {
        this.filters = List.copyOf(filters);
        this.asyncFilters = List.copyOf(asyncFilters);
        this.timeoutMs = timeoutMs;
        this.timedOut = new Verdict(false, 503, TIMED_OUT, (int) Math.max(1, (timeoutMs + 999) / 1000),
                EngineFigure.HANDSHAKES_FILTER_TIMED_OUT);
    }

    /** Whether asynchronous filters exist: a handshake the others allow then waits for {@link #decideLater}. */
    boolean waits() {
        return !asyncFilters.isEmpty();
    }

    /** What the synchronous filters say of a handshake, at once: refused when one refuses, fails or answers nothing. */
    Verdict decideNow(HandshakeRequest request) {
        for (Named<HandshakeFilter> f : filters) {
            HandshakeFilter.Decision decision;
            try {
                decision = f.filter().check(request);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Handshake filter %s failed; refusing the request", f.name());
                return Verdict.FAILED;
            }
            if (decision == null || !decision.allowed()) {
                return Verdict.of(decision);
            }
        }
        return Verdict.ALLOW;
    }

    /**
     * Asks the asynchronous filters about a handshake the synchronous ones allowed; called on {@code loop}.
     * {@code then} gets their verdict on {@code loop}, once, unless the decision is abandoned first; before this
     * returns only if the loop runs tasks at once (see {@link Loop#execute}).
     */
    Pending decideLater(HandshakeRequest request, Loop loop, Consumer<Verdict> then) {
        Check check = new Check(request, loop, then);
        check.start();
        return check;
    }

    /** One handshake's way through the asynchronous filters; its state is touched on its loop only. */
    private final class Check implements Pending {
        private final HandshakeRequest request;
        private final Loop loop;
        private final Consumer<Verdict> then;
        /** The filter asked now. */
        private int next;
        private Cancellable running;
        private Runnable timer;
        private boolean settled;

        Check(HandshakeRequest request, Loop loop, Consumer<Verdict> then) {
            this.request = request;
            this.loop = loop;
            this.then = then;
        }

        void start() {
            timer = loop.schedule(timeoutMs, this::timedOut);
            ask();
        }

        private void ask() {
            Named<AsyncHandshakeFilter> f = asyncFilters.get(next);
            Uni<HandshakeFilter.Decision> decision;
            try {
                decision = Objects.requireNonNull(f.filter().check(request), "check returned no Uni");
            } catch (RuntimeException e) {
                // answered as a failed Uni would be, through the loop
                loop.execute(() -> failed(f, e));
                return;
            }
            int step = next;
            Cancellable subscription = decision.subscribe().with(d -> loop.execute(() -> decided(d)),
                    e -> loop.execute(() -> failed(f, e)));
            // a loop that runs its tasks at once may have gone on to the next filter already
            if (next == step) {
                running = subscription;
            }
        }

        private void decided(HandshakeFilter.Decision decision) {
            if (settled) {
                return;
            }
            if (decision == null || !decision.allowed()) {
                settle(Verdict.of(decision));
            } else if (++next < asyncFilters.size()) {
                ask();
            } else {
                settle(Verdict.ALLOW);
            }
        }

        private void failed(Named<AsyncHandshakeFilter> f, Throwable e) {
            if (settled) {
                return;
            }
            LOG.errorf(e, "Handshake filter %s failed; refusing the request", f.name());
            settle(Verdict.FAILED);
        }

        private void timedOut() {
            if (settled) {
                return;
            }
            if (running != null) {
                running.cancel();
            }
            logTimeout(asyncFilters.get(next).name());
            settle(timedOut);
        }

        private void settle(Verdict verdict) {
            settled = true;
            timer.run();
            then.accept(verdict);
        }

        @Override
        public boolean abandon() {
            if (settled) {
                return false;
            }
            settled = true;
            timer.run();
            if (running != null) {
                running.cancel();
            }
            return true;
        }
    }

    /** A timeout of {@code filter}, logged at WARN at most once a minute for each filter, with the count since. */
    private void logTimeout(String filter) {
        long now = System.nanoTime();
        long[] log = timeoutLogs.computeIfAbsent(filter, f -> new long[] { now - TIMEOUT_LOG_INTERVAL_NANOS, 0 });
        long count;
        synchronized (log) {
            log[1]++;
            if (now - log[0] < TIMEOUT_LOG_INTERVAL_NANOS) {
                return;
            }
            count = log[1];
            log[0] = now;
            log[1] = 0;
        }
        LOG.warnf("Handshake filter %s did not decide within %d ms (quarkus.socketio.handshake-filter-timeout): "
                + "refused with 503 \"%s\"%s", filter, timeoutMs, TIMED_OUT,
                count > 1 ? "; " + (count - 1) + " more since the last such message" : "");
    }
}
