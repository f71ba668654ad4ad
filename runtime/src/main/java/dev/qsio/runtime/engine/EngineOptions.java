package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The validated engine settings, in the units the engine uses.
 */
public record EngineOptions(long pingIntervalMs, long pingTimeoutMs, long upgradeTimeoutMs, int maxHttpBufferSize,
        boolean polling, boolean websocket, boolean allowUpgrades, Cors cors, String handshakeCookie, int maxConnections,
        long pollingBodyTimeoutMs, long maxBufferedBytes, Compression compression, boolean allowEio3) {

    /** The same options with a cookie set on every handshake response (for sticky load balancers). */
    public EngineOptions withHandshakeCookie(String name, String value) {
        String cookie = name + "=" + value + "; Path=/; HttpOnly; SameSite=Lax";
        return new EngineOptions(pingIntervalMs, pingTimeoutMs, upgradeTimeoutMs, maxHttpBufferSize, polling, websocket,
                allowUpgrades, cors, cookie, maxConnections, pollingBodyTimeoutMs, maxBufferedBytes, compression, allowEio3);
    }

    private static final Set<String> TRANSPORTS = Set.of("polling", "websocket");

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
        List<String> transports = config.transports();
        for (String t : transports) {
            if (!TRANSPORTS.contains(t)) {
                throw new ConfigurationException("quarkus.socketio.transports accepts 'polling' and 'websocket', got '" + t
                        + "'", Set.of("quarkus.socketio.transports"));
            }
        }
        if (transports.isEmpty()) {
            throw new ConfigurationException("quarkus.socketio.transports must name at least one transport",
                    Set.of("quarkus.socketio.transports"));
        }
        return new EngineOptions(pingInterval, pingTimeout, upgradeTimeout, config.maxHttpBufferSize(),
                transports.contains("polling"), transports.contains("websocket"), config.allowUpgrades(),
                Cors.from(config.cors()), null, maxConnections(config),
                positive("quarkus.socketio.polling-body-timeout", config.pollingBodyTimeout()), config.maxBufferedBytes(),
                Compression.from(config), config.allowEio3());
    }

    private static int maxConnections(SocketIoRuntimeConfig config) {
        if (config.maxConnections().isEmpty()) {
            return Integer.MAX_VALUE;
        }
        int max = config.maxConnections().getAsInt();
        if (max <= 0) {
            throw new ConfigurationException("quarkus.socketio.max-connections must be at least 1, got " + max,
                    Set.of("quarkus.socketio.max-connections"));
        }
        return max;
    }

    boolean allows(String transport) {
        return ("polling".equals(transport) && polling) || ("websocket".equals(transport) && websocket);
    }

    /**
     * The protocol revision a handshake asks for with its {@code EIO} parameter, when accepted: 4, or 3 with
     * {@code allow-eio3}; otherwise -1.
     */
    int revision(String eio) {
        return "4".equals(eio) ? 4 : "3".equals(eio) && allowEio3 ? 3 : -1;
    }

    boolean upgradesOffered() {
        return allowUpgrades && websocket;
    }

    private static long positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException(key + " must be a positive duration, got " + value, Set.of(key));
        }
        return value.toMillis();
    }
}
