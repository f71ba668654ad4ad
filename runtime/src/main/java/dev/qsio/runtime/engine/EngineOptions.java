package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.qsio.runtime.config.Checks;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The validated engine settings, in the units the engine uses. The engine reads its configuration here only.
 *
 * @param transports the transports clients may use ({@link Transports})
 * @param dropBytes the most a session holds of packets it may drop ({@link EnginePacket#droppable}) for a client that
 *        does not keep up: past it, the oldest of them are dropped ({@code slow-consumer.lag-bytes})
 * @param handshakeFilterTimeoutMs how long the asynchronous handshake filters of one handshake may take, together
 */
public record EngineOptions(long pingIntervalMs, long pingTimeoutMs, long upgradeTimeoutMs, int maxHttpBufferSize,
        List<TransportKind> transports, boolean allowUpgrades, Cors cors, String handshakeCookie, int maxConnections,
        long pollingBodyTimeoutMs, long maxBufferedBytes, Compression compression, boolean allowEio3,
        AddressLimits.Settings addressLimits, long dropBytes, long handshakeFilterTimeoutMs) {

    /**
     * The same options with a cookie set on every handshake response (for sticky load balancers), written as Node's
     * {@code cookie} option writes its own: {@code name=value; Path=/; HttpOnly; SameSite=Lax} with the defaults
     * ({@code path} null: no {@code Path}).
     */
    public EngineOptions withHandshakeCookie(String name, String value, String path, boolean httpOnly, String sameSite,
            boolean secure) {
        StringBuilder cookie = new StringBuilder(name).append('=').append(value);
        if (path != null) {
            cookie.append("; Path=").append(path);
        }
        if (httpOnly) {
            cookie.append("; HttpOnly");
        }
        if (secure) {
            cookie.append("; Secure");
        }
        if (sameSite != null) {
            cookie.append("; SameSite=").append(sameSite);
        }
        return withHandshakeCookie(cookie.toString());
    }

    /** The same options with this {@code Set-Cookie} value on every handshake response. */
    public EngineOptions withHandshakeCookie(String cookie) {
        return new EngineOptions(pingIntervalMs, pingTimeoutMs, upgradeTimeoutMs, maxHttpBufferSize, transports,
                allowUpgrades, cors, cookie, maxConnections, pollingBodyTimeoutMs, maxBufferedBytes, compression, allowEio3,
                addressLimits, dropBytes, handshakeFilterTimeoutMs);
    }

    /** The same options without limits per address (a private server's, whose one client is the process itself). */
    public EngineOptions withoutAddressLimits() {
        return new EngineOptions(pingIntervalMs, pingTimeoutMs, upgradeTimeoutMs, maxHttpBufferSize, transports,
                allowUpgrades, cors, handshakeCookie, maxConnections, pollingBodyTimeoutMs, maxBufferedBytes, compression,
                allowEio3, AddressLimits.Settings.OFF, dropBytes, handshakeFilterTimeoutMs);
    }

    /** Reads and checks the configuration; a bad value fails startup with a message naming its key. */
    public static EngineOptions from(SocketIoRuntimeConfig config) {
        long pingInterval = positive("quarkus.socketio.ping-interval", config.pingInterval());
        long pingTimeout = positive("quarkus.socketio.ping-timeout", config.pingTimeout());
        long upgradeTimeout = positive("quarkus.socketio.upgrade-timeout", config.upgradeTimeout());
        if (config.maxHttpBufferSize() <= 0) {
            throw new ConfigurationException("quarkus.socketio.max-http-buffer-size must be a positive number of bytes, got "
                    + config.maxHttpBufferSize(), Set.of("quarkus.socketio.max-http-buffer-size"));
        }
        if (config.maxBufferedBytes() <= 0) {
            throw new ConfigurationException("quarkus.socketio.max-buffered-bytes must be a positive number of bytes, got "
                    + config.maxBufferedBytes(), Set.of("quarkus.socketio.max-buffered-bytes"));
        }
        if (config.headerTimeout().isNegative()) {
            throw new ConfigurationException("quarkus.socketio.header-timeout must be a duration of 0 (off) or more, got "
                    + config.headerTimeout(), Set.of("quarkus.socketio.header-timeout"));
        }
        List<TransportKind> transports = new ArrayList<>();
        for (String t : config.transports()) {
            TransportKind kind = Transports.named(t);
            if (kind == null) {
                throw new ConfigurationException("quarkus.socketio.transports accepts " + Transports.names() + ", got '"
                        + t + "'", Set.of("quarkus.socketio.transports"));
            }
            transports.add(kind);
        }
        if (transports.isEmpty()) {
            throw new ConfigurationException("quarkus.socketio.transports must name at least one transport",
                    Set.of("quarkus.socketio.transports"));
        }
        if (transports.contains(WebTransportTransport.KIND)) {
            // its listener's settings, checked with the others (it starts once the application has)
            WebTransportTransport.settings(config.webtransport(), config.maxHttpBufferSize());
        }
        return new EngineOptions(pingInterval, pingTimeout, upgradeTimeout, config.maxHttpBufferSize(),
                List.copyOf(transports), config.allowUpgrades(),
                cors(config.cors()), null, maxConnections(config),
                positive("quarkus.socketio.polling-body-timeout", config.pollingBodyTimeout()), config.maxBufferedBytes(),
                compression(config), config.allowEio3(), addressLimits(config.limits(), !config.inbound().cooldown().isZero()),
                Math.max(0, config.slowConsumer().lagBytes()),
                positive("quarkus.socketio.handshake-filter-timeout", config.handshakeFilterTimeout()));
    }

    /** WebTransport's listener settings (its UDP port, its sockets' buffers), when the transports list it; else null. */
    public static dev.qsio.runtime.webtransport.WebTransportServer.Settings webTransport(SocketIoRuntimeConfig config) {
        if (!config.transports().contains(WebTransportTransport.KIND.name())) {
            return null;
        }
        return WebTransportTransport.settings(config.webtransport(), config.maxHttpBufferSize());
    }

    private static Cors cors(SocketIoRuntimeConfig.Cors config) {
        return Cors.allowing(config.origins().orElse(List.of()), config.credentials(), config.maxAge().orElse(null),
                config.methods(), config.allowedHeaders().orElse(null), config.exposedHeaders().orElse(null),
                (int) Checks.within("quarkus.socketio.cors.preflight-status", config.preflightStatus(), 200, 299));
    }

    private static Compression compression(SocketIoRuntimeConfig config) {
        return new Compression(config.perMessageDeflate().enabled(),
                bytes("quarkus.socketio.per-message-deflate.threshold", config.perMessageDeflate().threshold()),
                config.httpCompression().enabled(),
                bytes("quarkus.socketio.http-compression.threshold", config.httpCompression().threshold()),
                maxWebSocketMessage(config.maxHttpBufferSize()));
    }

    private static int bytes(String key, int value) {
        if (value < 0) {
            throw new ConfigurationException(key + " must be a number of bytes, 0 or more, got " + value, Set.of(key));
        }
        return value;
    }

    /**
     * The largest WebSocket frame and message the HTTP server lets through: twice {@code max-http-buffer-size}, so
     * that a message over the limit reaches the engine, which closes with 1009 (RFC 6455, "message too big"); only one
     * over twice the limit is cut by the HTTP server itself (close 1000).
     */
    int maxWebSocketMessage() {
        return maxWebSocketMessage(maxHttpBufferSize);
    }

    private static int maxWebSocketMessage(int maxHttpBufferSize) {
        return (int) Math.min(Integer.MAX_VALUE - 64L, 2L * maxHttpBufferSize) + 64;
    }

    /**
     * The limits per address; {@code cooldowns} when addresses must be tracked for
     * {@code quarkus.socketio.inbound.cooldown} (checked with the inbound limits, in the server).
     */
    private static AddressLimits.Settings addressLimits(SocketIoRuntimeConfig.Limits config, boolean cooldowns) {
        String prefix = "quarkus.socketio.limits.";
        double rate = config.handshakesPerSecondPerAddress();
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new ConfigurationException(prefix + "handshakes-per-second-per-address must be a number of 0 (off) or"
                    + " more, got " + rate, Set.of(prefix + "handshakes-per-second-per-address"));
        }
        int burst = config.handshakeBurstPerAddress();
        if (burst < 1) {
            throw new ConfigurationException(prefix + "handshake-burst-per-address must be at least 1, got " + burst,
                    Set.of(prefix + "handshake-burst-per-address"));
        }
        int sessions = config.sessionsPerAddress();
        if (sessions < 0) {
            throw new ConfigurationException(prefix + "sessions-per-address must be 0 (off) or more, got " + sessions,
                    Set.of(prefix + "sessions-per-address"));
        }
        int max = config.maxAddresses();
        if (max < 1) {
            throw new ConfigurationException(prefix + "max-addresses must be at least 1, got " + max,
                    Set.of(prefix + "max-addresses"));
        }
        double serverRate = config.handshakesPerSecond();
        if (!(serverRate >= 0) || Double.isInfinite(serverRate)) {
            throw new ConfigurationException(prefix + "handshakes-per-second must be a number of 0 (off) or more, got "
                    + serverRate, Set.of(prefix + "handshakes-per-second"));
        }
        int serverBurst = config.handshakeBurst();
        if (serverBurst < 1) {
            throw new ConfigurationException(prefix + "handshake-burst must be at least 1, got " + serverBurst,
                    Set.of(prefix + "handshake-burst"));
        }
        return new AddressLimits.Settings(rate, burst, sessions, max, serverRate, serverBurst, cooldowns);
    }

    /** The heap a session is given by default: {@code max-connections} is the maximum heap over this. */
    static final long HEAP_PER_SESSION = 8192;

    /**
     * The sessions a process holds when {@code max-connections} is unset: one per {@link #HEAP_PER_SESSION} bytes of
     * its maximum heap (32,768 with {@code -Xmx256m}), at least 1,024. An idle session takes about 4 KB of live heap,
     * so a storm of handshakes from many addresses, each within its limits, stops at half the heap rather than at an
     * OutOfMemoryError.
     */
    public static int defaultMaxConnections(long maxHeapBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1024, maxHeapBytes / HEAP_PER_SESSION));
    }

    private static int maxConnections(SocketIoRuntimeConfig config) {
        if (config.maxConnections().isEmpty()) {
            return defaultMaxConnections(Runtime.getRuntime().maxMemory());
        }
        int max = config.maxConnections().getAsInt();
        if (max <= 0) {
            throw new ConfigurationException("quarkus.socketio.max-connections must be at least 1, got " + max,
                    Set.of("quarkus.socketio.max-connections"));
        }
        return max;
    }

    /** The transport of this name, when clients may use it; otherwise null. */
    TransportKind transport(String name) {
        for (TransportKind kind : transports) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        return null;
    }

    /**
     * The protocol revision a handshake asks for with its {@code EIO} parameter, when accepted: 4, or 3 with
     * {@code allow-eio3}; otherwise -1.
     */
    int revision(String eio) {
        return "4".equals(eio) ? 4 : "3".equals(eio) && allowEio3 ? 3 : -1;
    }

    /**
     * The transports a session on {@code from} is offered to upgrade to (its handshake's {@code upgrades}). In a
     * cluster every one is: an upgrade that reaches another server than the session's owner is handed to the owner
     * (a TCP connection on the same host) or served there for it (see {@link OtherServers}).
     */
    List<TransportKind> upgrades(TransportKind from) {
        if (!allowUpgrades) {
            return List.of();
        }
        List<TransportKind> offered = new ArrayList<>(1);
        for (TransportKind to : transports) {
            if (from.upgradesTo(to)) {
                offered.add(to);
            }
        }
        offered.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
        return offered;
    }

    private static long positive(String key, Duration value) {
        return Checks.positive(key, value);
    }

    /**
     * The {@code max-buffered-bytes} rule, wherever bytes wait for a client (a session's buffer, a WebSocket written by a
     * broadcast, one relayed for another server): whether {@code size} more bytes on top of {@code held} pass
     * {@code max}. Never when nothing is held, so that one message larger than the bound still goes out.
     */
    public static boolean pastBound(long held, long size, long max) {
        return held > 0 && held + size > max;
    }
}
