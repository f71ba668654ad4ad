package dev.qsio.runtime.engine;

import static dev.qsio.runtime.figures.Meter.counter;
import static dev.qsio.runtime.figures.Meter.gauge;

import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.figures.Meter;

/**
 * The figures of the engine, counted by {@link EngineStats}: group {@code engine} of a server's figures. The few read
 * from elsewhere when a snapshot is taken say so.
 */
public enum EngineFigure implements Figure {

    /** Open sessions: read from the servers' sessions when a snapshot is taken, not counted. */
    SESSIONS("sessions", gauge("socketio.engine.sessions", "Open Engine.IO sessions")),
    HANDSHAKES_ACCEPTED("handshakesAccepted", counter("socketio.handshakes", "Engine.IO handshakes", "outcome", "accepted")),
    HANDSHAKES_REFUSED("handshakesRefused", counter("socketio.handshakes", "Engine.IO handshakes", "outcome", "refused")),
    /** Handshakes refused for their address's handshake rate (also counted in {@link #HANDSHAKES_REFUSED}). */
    HANDSHAKES_REFUSED_RATE("handshakesRefusedRate", counter("socketio.handshakes.limited",
            "Engine.IO handshakes refused by a limit per remote address or of the process", "reason", "rate"), LIMIT),
    /** Handshakes refused for their address's open sessions (also counted in {@link #HANDSHAKES_REFUSED}). */
    HANDSHAKES_REFUSED_SESSIONS("handshakesRefusedSessions", counter("socketio.handshakes.limited",
            "Engine.IO handshakes refused by a limit per remote address or of the process", "reason", "sessions"), LIMIT),
    /**
     * Handshakes refused for the process's handshake rate, all addresses together (also counted in
     * {@link #HANDSHAKES_REFUSED}).
     */
    HANDSHAKES_REFUSED_SERVER_RATE("handshakesRefusedServerRate", counter("socketio.handshakes.limited",
            "Engine.IO handshakes refused by a limit per remote address or of the process", "reason", "server-rate"), LIMIT),
    /**
     * Handshakes refused while their address cools down after a client of it was disconnected past its inbound limits
     * (also counted in {@link #HANDSHAKES_REFUSED}).
     */
    HANDSHAKES_REFUSED_COOLDOWN("handshakesRefusedCooldown", counter("socketio.handshakes.limited",
            "Engine.IO handshakes refused by a limit per remote address or of the process", "reason", "cooldown"), LIMIT),
    /**
     * Handshakes a {@code HandshakeFilter} or {@code AsyncHandshakeFilter} bean refused (also counted in
     * {@link #HANDSHAKES_REFUSED}).
     */
    HANDSHAKES_FILTER_REFUSED("handshakesFilterRefused", counter("socketio.handshakes.filtered",
            "Engine.IO handshakes refused by the application's handshake filters", "reason", "refused")),
    /** Handshakes refused because a filter threw or its {@code Uni} failed (also counted in {@link #HANDSHAKES_REFUSED}). */
    HANDSHAKES_FILTER_FAILED("handshakesFilterFailed", counter("socketio.handshakes.filtered",
            "Engine.IO handshakes refused by the application's handshake filters", "reason", "failed")),
    /**
     * Handshakes refused because the asynchronous filters did not decide within {@code handshake-filter-timeout} (also
     * counted in {@link #HANDSHAKES_REFUSED}).
     */
    HANDSHAKES_FILTER_TIMED_OUT("handshakesFilterTimedOut", counter("socketio.handshakes.filtered",
            "Engine.IO handshakes refused by the application's handshake filters", "reason", "timeout")),
    /**
     * Handshakes whose client left while they waited for the asynchronous filters or the lazy authentication: nothing
     * was opened for them, and they are neither accepted nor refused.
     */
    HANDSHAKES_ABANDONED("handshakesAbandoned", counter("socketio.handshakes.abandoned",
            "Engine.IO handshakes whose client left while the asynchronous filters or the authentication decided")),
    /** Handshakes waiting now for the asynchronous filters or the lazy authentication (counted up and down). */
    HANDSHAKES_WAITING("handshakesWaiting", gauge("socketio.handshakes.waiting",
            "Engine.IO handshakes waiting for the asynchronous filters or the authentication")),
    BYTES_IN("bytesIn", counter("socketio.bytes", "Engine.IO payload bytes", "direction", "in")),
    BYTES_OUT("bytesOut", counter("socketio.bytes", "Engine.IO payload bytes", "direction", "out")),
    /** Polling requests this server served for sessions owned by another server. */
    FORWARDED_REQUESTS("forwardedRequests", counter("socketio.forwarded.requests",
            "Polling requests served for sessions owned by another worker")),
    /** Upgrades completed on the server that owns the session. */
    UPGRADES_LOCAL("upgradesLocal", counter("socketio.upgrades", "Upgrades to WebSocket or WebTransport", "outcome", "local")),
    /** Upgrades received here for a session of another server, which handed the session over. */
    UPGRADES_TAKEN_OVER("upgradesTakenOver", counter("socketio.upgrades", "Upgrades to WebSocket or WebTransport", "outcome", "taken_over")),
    /** Upgrades received here for a session that stays with another server: its frames are relayed. */
    UPGRADES_FORWARDED("upgradesForwarded", counter("socketio.upgrades", "Upgrades to WebSocket or WebTransport", "outcome", "relayed")),
    /** Requests whose connection this server gave to the server of this host that owns their session. */
    CONNECTIONS_HANDED_OFF("connectionsHandedOff", counter("socketio.connections.handed.off",
            "Connections handed to the worker of this host that owns their session", "direction", "sent")),
    /** Sessions closed because their client did not read what it was sent (max-buffered-bytes). */
    BUFFER_OVERFLOWS("bufferOverflows", counter("socketio.buffer.overflows",
            "Sessions closed because their client did not read what it was sent (max-buffered-bytes)"), LIMIT),
    /** Sessions closed because their client stayed behind longer than slow-consumer.max-lag. */
    SLOW_CONSUMERS_LAGGED("slowConsumersLagged", counter("socketio.slow.consumers",
            "Sessions closed because their client did not keep up", "reason", "lag"), LIMIT),
    /** Sessions closed, the slowest first, because the process held more than slow-consumer.max-total-bytes. */
    SLOW_CONSUMERS_SHED("slowConsumersShed", counter("socketio.slow.consumers",
            "Sessions closed because their client did not keep up", "reason", "memory"), LIMIT),
    /**
     * Packets a client that did not keep up missed under the {@code drop-oldest} policy: the oldest of what was held
     * for it past {@code slow-consumer.lag-bytes}.
     */
    PACKETS_DROPPED("slowConsumerDrops", counter("socketio.slow.consumer.drops",
            "Packets a slow client missed under the drop-oldest policy, the oldest first"), LIMIT),
    /**
     * Volatile packets ({@code volatile_()}) not sent because their client's connection could not take them at once.
     */
    VOLATILE_DROPPED("volatileDrops", counter("socketio.volatile.drops",
            "Volatile packets not sent because their client's connection could not take them at once"), LIMIT),
    /**
     * Connections this server received from another process of its host (the primary, or a worker that handed one
     * over): read from the hand-off of connections when a snapshot is taken, not counted here.
     */
    CONNECTIONS_RECEIVED("connectionsReceived", counter("socketio.connections.handed.off",
            "Connections handed to the worker of this host that owns their session", "direction", "received")),
    /** Connections the hand-off failed to pass or to receive: read from it when a snapshot is taken. */
    HAND_OFF_FAILURES("handOffFailures", null);

    private final String key;
    private final Meter meter;
    private final boolean limit;

    EngineFigure(String key, Meter meter) {
        this(key, meter, false);
    }

    EngineFigure(String key, Meter meter, boolean limit) {
        this.key = key;
        this.meter = meter;
        this.limit = limit;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Meter meter() {
        return meter;
    }

    @Override
    public boolean limit() {
        return limit;
    }
}
