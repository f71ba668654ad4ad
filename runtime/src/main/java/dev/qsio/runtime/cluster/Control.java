package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;

/**
 * The messages between the primary and its workers on the bus's CONTROL channel: small JSON objects with an
 * {@code op}.
 */
final class Control {

    /** Worker to primary: it listens and its bus link is up. */
    static final String READY = "ready";
    /** Worker to primary: it stopped listening and is closing its sessions. */
    static final String DRAINING = "draining";
    /** Worker to primary, with each heartbeat: its counters. */
    static final String STATS = "stats";
    /** Primary to worker: an application message, fired there as a CDI event. */
    static final String MESSAGE = "message";
    /** Worker to primary: take a lease of an identity ({@link ControlIdentityLeases}); answered with {@link #LEASED}. */
    static final String LEASE = "lease";
    /** Primary to worker: whether the lease of a {@link #LEASE} request ({@code rid}) was taken. */
    static final String LEASED = "leased";
    /** Worker to primary: give up the lease of a holder. */
    static final String UNLEASE = "unlease";
    /** Worker to primary, every third of a lease: its leases go on. */
    static final String RENEW = "renew";

    /** Worker to primary: a broadcast to log for connection state recovery ({@link ControlSessionStore}). */
    static final String LOG = "log";
    /** Worker to primary: a socket's state as it connects there (the worker owns the session now). */
    static final String CLAIM = "claim";
    /** Worker to primary: a connected socket's state again (a room joined or left). */
    static final String SAVE = "save";
    /** Worker to primary: a socket's state at a disconnection it may recover from. */
    static final String DISCONNECTED = "disconnected";
    /** Worker to primary: a socket left on purpose. */
    static final String FORGET = "forget";
    /** Worker to primary: take a session and what it missed; answered with {@link #RECOVERED}. */
    static final String RECOVER = "recover";
    /** Worker to primary: the logged broadcasts after an offset; answered with {@link #RECOVERED}. */
    static final String SINCE = "since";
    /** Primary to worker: the answer to a {@link #RECOVER} or {@link #SINCE} request ({@code rid}). */
    static final String RECOVERED = "recovered";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Control() {
    }

    static ObjectNode op(String op) {
        return JSON.createObjectNode().put("op", op);
    }

    static Buffer encode(ObjectNode message) {
        try {
            return Buffer.buffer(JSON.writeValueAsBytes(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode decode(Buffer payload) {
        try {
            return JSON.readTree(payload.getBytes());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
