package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig.Inbound.Exceeded;
import dev.qsio.runtime.engine.TokenBucket;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The limits on what one connection's client sends ({@code quarkus.socketio.inbound.*}): events per second and bytes
 * per second over all its namespaces, and events per second of single events by name, each a token bucket refilled
 * at its rate and holding its burst. Bytes are counted as the messages arrive, attachments included; an event is let
 * through when every bucket it draws on has a token (the bytes' bucket: was not in debt when its last message came).
 */
final class InboundLimits {

    private static final Logger LOG = Logger.getLogger(InboundLimits.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private static final AtomicLong limitedSinceLogged = new AtomicLong();

    /** One token bucket's settings. */
    record Rate(double perSecond, double burst) {
    }

    /**
     * The validated settings.
     *
     * @param events the events of a connection, or null for no such limit
     * @param bytes its bytes, or null
     * @param perEvent single events by name
     * @param exceeded what happens to an event past a limit
     * @param cooldown how long the address of a client disconnected past a limit may not open a session (zero: off)
     */
    record Options(Rate events, Rate bytes, Map<String, Rate> perEvent, Exceeded exceeded, Duration cooldown) {

        static final Options NONE = new Options(null, null, Map.of(), Exceeded.DROP, Duration.ZERO);

        boolean any() {
            return events != null || bytes != null || !perEvent.isEmpty();
        }

        /**
         * Reads and checks the configuration (a bad value fails startup with a message naming its key): its limits,
         * and the rates of {@code @OnEvent(rateLimit = ...)} for the events the configuration does not name (for an
         * event of several handlers with rates, the lowest).
         */
        static Options from(SocketIoRuntimeConfig.Inbound config, List<HandlerDefinition> handlers) {
            Options configured = fromConfig(config);
            Map<String, Rate> perEvent = new HashMap<>(configured.perEvent());
            Map<String, Rate> annotated = new HashMap<>();
            for (HandlerDefinition h : handlers) {
                if (h.kind() == HandlerDefinition.Kind.EVENT && h.ratePerSecond() > 0 && !perEvent.containsKey(h.event())) {
                    annotated.merge(h.event(), new Rate(h.ratePerSecond(), h.rateBurst()),
                            (x, y) -> x.perSecond() <= y.perSecond() ? x : y);
                }
            }
            if (annotated.isEmpty()) {
                return configured;
            }
            perEvent.putAll(annotated);
            return new Options(configured.events(), configured.bytes(), Map.copyOf(perEvent), configured.exceeded(),
                    configured.cooldown());
        }

        static Options fromConfig(SocketIoRuntimeConfig.Inbound config) {
            String prefix = "quarkus.socketio.inbound.";
            Rate events = rate(prefix + "events-per-second", config.eventsPerSecond(), prefix + "event-burst",
                    config.eventBurst());
            Rate bytes = rate(prefix + "bytes-per-second", config.bytesPerSecond(), prefix + "bytes-burst",
                    config.bytesBurst());
            Map<String, Rate> perEvent = new HashMap<>();
            config.event().forEach((name, r) -> {
                String key = prefix + "event.\"" + name + "\".";
                if (!(r.perSecond() > 0) || Double.isInfinite(r.perSecond())) {
                    throw new ConfigurationException(key + "per-second must be a number of events over 0, got "
                            + r.perSecond(), Set.of(key + "per-second"));
                }
                perEvent.put(name, rate(key + "per-second", r.perSecond(), key + "burst", r.burst()));
            });
            return new Options(events, bytes, Map.copyOf(perEvent), config.exceeded(), cooldown(config));
        }

        /** {@code cooldown}: 0 (off), or at least a millisecond and only with {@code exceeded=disconnect}. */
        static Duration cooldown(SocketIoRuntimeConfig.Inbound config) {
            String key = "quarkus.socketio.inbound.cooldown";
            Duration d = config.cooldown();
            if (d.isZero()) {
                return d;
            }
            if (d.isNegative() || d.toMillis() < 1) {
                throw new ConfigurationException(key + " must be 0 (off) or at least 1 ms, got " + d, Set.of(key));
            }
            if (config.exceeded() != Exceeded.DISCONNECT) {
                throw new ConfigurationException(key + " applies to clients disconnected past a limit: it needs "
                        + "quarkus.socketio.inbound.exceeded=disconnect (it is " + config.exceeded().name().toLowerCase()
                        + ")", Set.of(key, "quarkus.socketio.inbound.exceeded"));
            }
            return d;
        }

        private static Rate rate(String rateKey, double perSecond, String burstKey, double burst) {
            if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
                throw new ConfigurationException(rateKey + " must be 0 (off) or more, got " + perSecond, Set.of(rateKey));
            }
            if (burst < 1) {
                throw new ConfigurationException(burstKey + " must be at least 1, got " + (long) burst, Set.of(burstKey));
            }
            return perSecond == 0 ? null : new Rate(perSecond, burst);
        }
    }

    private final Options options;
    /** Null where not limited. */
    private final TokenBucket events;
    private final TokenBucket bytes;
    /** The buckets of single events, by name, made when the event first comes. */
    private Map<String, TokenBucket> perEvent;
    /** Whether the client was within its bytes when its last message arrived. */
    private boolean bytesAdmitted = true;

    InboundLimits(Options options, long now) {
        this.options = options;
        this.events = bucket(options.events(), now);
        this.bytes = bucket(options.bytes(), now);
    }

    private static TokenBucket bucket(Rate rate, long now) {
        return rate == null ? null : new TokenBucket(rate.perSecond(), rate.burst(), now);
    }

    /**
     * A message of {@code size} bytes arrived: the event it completes may go on if the client was not in debt before
     * it (so that one message larger than the burst still goes, and the ones after it wait for the debt to be paid).
     */
    synchronized void received(int size, long now) {
        if (bytes != null) {
            bytesAdmitted = bytes.inCredit(now);
            bytes.charge(size, now);
        }
    }

    /** Whether an event of this name may go on now; if so, its tokens are taken. */
    synchronized boolean allow(String event, long now) {
        if (bytes != null && !bytesAdmitted) {
            return false;
        }
        Rate r = options.perEvent().get(event);
        TokenBucket own = null;
        if (r != null) {
            if (perEvent == null) {
                perEvent = new HashMap<>(2);
            }
            own = perEvent.computeIfAbsent(event, k -> bucket(r, now));
            if (!own.take(1, now)) {
                return false;
            }
        }
        if (events != null && !events.take(1, now)) {
            if (own != null) {
                // not used after all: given back
                own.charge(-1, now);
            }
            return false;
        }
        return true;
    }

    Exceeded exceeded() {
        return options.exceeded();
    }

    /** How long the address of a client disconnected past a limit may not open a session; zero when off. */
    Duration cooldown() {
        return options.cooldown();
    }

    /** Logs a refused event: at INFO at most once per 10 s for the process, with the count since; else at DEBUG. */
    static void logRefused(String connection, String from, String event, Exceeded what) {
        long count = limitedSinceLogged.incrementAndGet();
        long now = System.nanoTime();
        long lastTime = lastLogged.get();
        if (now - lastTime >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(lastTime, now)) {
            limitedSinceLogged.set(0);
            LOG.infof("Connection %s from %s sent event '%s' past quarkus.socketio.inbound limits: %s%s", connection, from,
                    event, what == Exceeded.DROP ? "dropped" : "disconnected",
                    count > 1 ? "; " + (count - 1) + " more events refused since the last such message" : "");
        } else {
            LOG.debugf("Connection %s from %s sent event '%s' past quarkus.socketio.inbound limits", connection, from, event);
        }
    }
}
