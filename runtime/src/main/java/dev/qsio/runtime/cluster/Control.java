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
