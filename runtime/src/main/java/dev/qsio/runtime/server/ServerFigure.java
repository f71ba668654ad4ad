package dev.qsio.runtime.server;

import static dev.qsio.runtime.figures.Meter.counter;
import static dev.qsio.runtime.figures.Meter.gauge;

import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.figures.Meter;

/** The figures of the Socket.IO server, counted by {@link ServerStats}: group {@code socketio} of a server's figures. */
public enum ServerFigure implements Figure {

    PACKETS_IN("packetsIn", counter("socketio.packets", "Socket.IO packets", "direction", "in")),
    PACKETS_OUT("packetsOut", counter("socketio.packets", "Socket.IO packets", "direction", "out")),
    ACK_TIMEOUTS("ackTimeouts", counter("socketio.ack.timeouts", "Acknowledgements that did not arrive in time")),
    /**
     * Acknowledgements the sockets of this process await from their clients (of their own emits and of broadcasts):
     * one more when one is awaited, one less when it is answered, times out or its socket leaves. A gauge kept by
     * {@code SocketAcks}.
     */
    ACKS_PENDING("acksPending", gauge("socketio.acks.pending",
            "Acknowledgements the sockets of this process await from their clients")),
    /** Failures of application handlers (exceptions and failed results without an error handler). */
    HANDLER_FAILURES("handlerFailures", counter("socketio.handler.failures",
            "Application handlers that threw or failed without an @OnError method")),
    /** Events of clients refused past the limits of quarkus.socketio.inbound (dropped, or their connection closed). */
    EVENTS_LIMITED("eventsLimited", counter("socketio.events.limited",
            "Events of clients refused past the inbound limits"), LIMIT),
    /** Namespace connections refused because their identity held its sessions-per-identity already. */
    CONNECTS_REFUSED_IDENTITY("connectsRefusedIdentity", counter("socketio.connects.limited",
            "Namespace connections refused by a limit", "reason", "sessions-per-identity"), LIMIT),
    /** Namespace connections let in because the identity leases could not be reached (the cap fails open). */
    IDENTITY_LEASES_UNREACHABLE("identityLeasesUnreachable", counter("socketio.identity.leases.unreachable",
            "Namespace connections let in uncounted because the identity leases could not be reached")),
    /** Broadcasts this server sent to the others (counted by the cluster adapter). */
    BROADCASTS_SENT("broadcastsSent", counter("socketio.bus.broadcasts", "Broadcasts over the cluster bus",
            "direction", "sent")),
    /** Broadcasts this server received from the others (counted by the cluster adapter). */
    BROADCASTS_RECEIVED("broadcastsReceived", counter("socketio.bus.broadcasts", "Broadcasts over the cluster bus",
            "direction", "received"));

    private final String key;
    private final Meter meter;
    private final boolean limit;

    ServerFigure(String key, Meter meter) {
        this(key, meter, false);
    }

    ServerFigure(String key, Meter meter, boolean limit) {
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
