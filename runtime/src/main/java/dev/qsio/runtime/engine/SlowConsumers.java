package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The policy for clients that read slower than they are sent to, between nothing held and a session's
 * {@code max-buffered-bytes}: every {@code check-interval}, over every session of the process,
 * <ul>
 * <li>a client that has held more than {@code lag-bytes} unread at every check for {@code max-lag} is closed (the
 * process's rule, or the session's own: {@link EngineSession#lag(Lag)});</li>
 * <li>when all the clients together hold more than {@code max-total-bytes}, the sessions holding the most are closed
 * first until the rest is under it, so that many slow clients cannot together take the process's memory.</li>
 * </ul>
 * A closed session's unread bytes are dropped at once (its connection is aborted), its reason is
 * {@link EngineSession#SLOW_CONSUMER}. The check also completes what waits for a client to catch up
 * ({@link EngineSession#drained()}) where no event of the transport did. It runs on a thread of its own, so that a
 * process with a million sessions does not hold an event loop while it looks at them.
 */
public final class SlowConsumers {

    private static final Logger LOG = Logger.getLogger(SlowConsumers.class);

    /**
     * The validated settings.
     *
     * @param maxLagNanos how long a client may stay behind; 0 for no such rule
     * @param lagBytes what a client must hold unread to be behind
     * @param maxTotalBytes the most held for all clients together
     * @param checkIntervalMs how often the rules are checked
     */
    public record Options(long maxLagNanos, long lagBytes, long maxTotalBytes, long checkIntervalMs) {

        /** Reads and checks the configuration; a bad value fails startup with a message naming its key. */
        public static Options from(SocketIoRuntimeConfig.SlowConsumer config, long maxHeapBytes) {
            Lag lag = Lag.of(config.maxLag(), config.lagBytes(), "quarkus.socketio.slow-consumer.");
            long total = config.maxTotalBytes().orElse(maxHeapBytes / 4);
            if (total <= 0) {
                throw new ConfigurationException("quarkus.socketio.slow-consumer.max-total-bytes must be a positive number of bytes, got "
                        + total, Set.of("quarkus.socketio.slow-consumer.max-total-bytes"));
            }
            Duration interval = config.checkInterval();
            if (interval.toMillis() < 10) {
                throw new ConfigurationException("quarkus.socketio.slow-consumer.check-interval must be at least 10 ms, got "
                        + interval, Set.of("quarkus.socketio.slow-consumer.check-interval"));
            }
            return new Options(lag.maxLagNanos(), lag.lagBytes(), total, interval.toMillis());
        }

        /** The lag rule of a session that has none of its own. */
        public Lag lag() {
            return new Lag(maxLagNanos, lagBytes);
        }
    }

    /**
     * The lag rule of a session: how long ({@code maxLagNanos}, 0 for never) its client may hold more than
     * {@code lagBytes} unread before it is closed; {@code lagBytes} is also the most it holds of what it may miss
     * ({@link EnginePacket#droppable}). The process's, or one a session is given ({@link EngineSession#lag(Lag)}).
     */
    public record Lag(long maxLagNanos, long lagBytes) {

        /**
         * Checks a {@code max-lag} and a {@code lag-bytes} read from the keys starting with {@code prefix}; a bad value
         * fails startup with a message naming its key.
         */
        public static Lag of(Duration maxLag, long lagBytes, String prefix) {
            if (maxLag.isNegative() || (!maxLag.isZero() && maxLag.toMillis() == 0)) {
                throw new ConfigurationException(prefix + "max-lag must be 0 (off) or at least 1 ms, got " + maxLag,
                        Set.of(prefix + "max-lag"));
            }
            if (lagBytes < 0) {
                throw new ConfigurationException(prefix + "lag-bytes must be a number of bytes, 0 or more, got "
                        + lagBytes, Set.of(prefix + "lag-bytes"));
            }
            return new Lag(maxLag.toNanos(), lagBytes);
        }

        /** The stricter of two rules, field by field: the shorter lag that is not 0 (never), the fewer bytes. */
        public Lag strictest(Lag other) {
            long lag = maxLagNanos == 0 ? other.maxLagNanos
                    : other.maxLagNanos == 0 ? maxLagNanos : Math.min(maxLagNanos, other.maxLagNanos);
            return new Lag(lag, Math.min(lagBytes, other.lagBytes));
        }
    }

    private final Options options;
    private final Supplier<? extends Collection<EngineServer<?>>> servers;
    private final ScheduledExecutorService thread;

    private SlowConsumers(Options options, Supplier<? extends Collection<EngineServer<?>>> servers) {
        this.options = options;
        this.servers = servers;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qsio-slow-consumers");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks the sessions of {@code servers} every {@code check-interval} from now on. */
    public static SlowConsumers start(Options options, Supplier<? extends Collection<EngineServer<?>>> servers) {
        SlowConsumers s = new SlowConsumers(options, servers);
        s.thread.scheduleWithFixedDelay(() -> {
            try {
                s.check(System.nanoTime());
            } catch (RuntimeException e) {
                LOG.errorf(e, "Checking for slow clients failed");
            }
        }, options.checkIntervalMs(), options.checkIntervalMs(), TimeUnit.MILLISECONDS);
        return s;
    }

    public void stop() {
        thread.shutdownNow();
    }

    /** One pass of the rules at {@code now} (nanoTime); the sessions closed. */
    int check(long now) {
        long total = 0;
        int closed = 0;
        List<Held> held = new ArrayList<>();
        for (EngineServer<?> server : servers.get()) {
            for (EngineSession<?> session : server.sessions()) {
                if (session.out.awaitsCatchUp()) {
                    session.out.caughtUp();
                }
                long bytes = session.bufferedBytes();
                if (bytes == 0) {
                    session.out.behindSince = 0;
                    continue;
                }
                Lag own = session.lag();
                long lagBytes = own != null ? own.lagBytes() : options.lagBytes();
                long maxLag = own != null ? own.maxLagNanos() : options.maxLagNanos();
                if (session.out.undroppableBytes() <= lagBytes) {
                    session.out.behindSince = 0;
                } else if (session.out.behindSince == 0) {
                    session.out.behindSince = now;
                } else if (maxLag > 0 && now - session.out.behindSince >= maxLag) {
                    LOG.debugf("session %s closed: %d bytes unread for %d ms (slow-consumer's max-lag)", session.id(),
                            bytes, TimeUnit.NANOSECONDS.toMillis(now - session.out.behindSince));
                    shed(session, EngineFigure.SLOW_CONSUMERS_LAGGED);
                    closed++;
                    continue;
                }
                total += bytes;
                held.add(new Held(session, bytes));
            }
        }
        if (total > options.maxTotalBytes()) {
            long before = total;
            int shed = 0;
            held.sort(Comparator.comparingLong(Held::bytes).reversed());
            for (Held h : held) {
                if (total <= options.maxTotalBytes()) {
                    break;
                }
                shed(h.session(), EngineFigure.SLOW_CONSUMERS_SHED);
                total -= h.bytes();
                shed++;
            }
            closed += shed;
            LOG.infof("Closed the %d slowest of %d clients behind: together they held %d bytes unread, over "
                    + "quarkus.socketio.slow-consumer.max-total-bytes (%d)", shed, held.size(), before,
                    options.maxTotalBytes());
        }
        return closed;
    }

    private record Held(EngineSession<?> session, long bytes) {
    }

    /** Ends a session whose client does not keep up, dropping what it was not able to read: counted under {@code figure}. */
    private static void shed(EngineSession<?> session, EngineFigure figure) {
        session.server.stats().increment(figure);
        session.closeFor(EngineSession.SLOW_CONSUMER);
    }
}
