package dev.qsio.runtime.cluster;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.runtime.adapter.IdentityLeases;
import dev.qsio.runtime.adapter.LocalIdentityLeases;
import dev.qsio.runtime.bus.Bus;
import dev.qsio.runtime.bus.LocalBus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The leases of identities of the workers of one host, without a wire between hosts: kept by their primary
 * ({@link Keeper}, in memory), asked for on the local bus's CONTROL channel. A worker that dies renews nothing, and
 * its leases expire in the primary; the primary's death ends its workers, and the leases with them.
 */
final class ControlIdentityLeases implements IdentityLeases {

    private final LocalBus bus;
    private final Vertx vertx;
    private final long timeoutMs;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Promise<Boolean>> waiting = new ConcurrentHashMap<>();

    ControlIdentityLeases(LocalBus bus, Vertx vertx, long timeoutMs) {
        this.bus = bus;
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
        bus.listen(Bus.Channel.CONTROL, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
                JsonNode message = Control.decode(payload);
                if (Control.LEASED.equals(message.path("op").asText())) {
                    Promise<Boolean> p = waiting.remove(message.path("rid").asLong());
                    if (p != null) {
                        p.tryComplete(message.path("held").asBoolean());
                    }
                }
            }
        });
    }

    @Override
    public Future<Boolean> acquire(String identity, String holder, int max, long leaseMs) {
        long rid = ids.incrementAndGet();
        Promise<Boolean> answer = Promise.promise();
        waiting.put(rid, answer);
        ObjectNode op = Control.op(Control.LEASE).put("rid", rid).put("identity", identity).put("holder", holder)
                .put("max", max).put("leaseMs", leaseMs);
        bus.send("primary", Bus.Channel.CONTROL, Control.encode(op));
        long timer = vertx.setTimer(timeoutMs, t -> {
            Promise<Boolean> p = waiting.remove(rid);
            if (p != null) {
                p.tryFail("the primary did not answer for the lease within " + timeoutMs + " ms");
            }
        });
        return answer.future().onComplete(ar -> vertx.cancelTimer(timer));
    }

    @Override
    public void release(String identity, String holder) {
        bus.send("primary", Bus.Channel.CONTROL, Control.encode(Control.op(Control.UNLEASE).put("identity", identity)
                .put("holder", holder)));
    }

    @Override
    public void renew(Map<String, Set<String>> held, long leaseMs) {
        if (held.isEmpty()) {
            return;
        }
        ObjectNode op = Control.op(Control.RENEW).put("leaseMs", leaseMs);
        ObjectNode identities = op.putObject("held");
        held.forEach((identity, holders) -> holders.forEach(identities.withArray(identity)::add));
        bus.send("primary", Bus.Channel.CONTROL, Control.encode(op));
    }

    /** The primary's side: the leases of its host, and the answers to its workers' requests. */
    static final class Keeper {
        private final LocalIdentityLeases leases = new LocalIdentityLeases();

        /** Handles a lease op of a worker; the answer to send back to it, or null. */
        Buffer handle(JsonNode message) {
            switch (message.path("op").asText()) {
                case Control.LEASE -> {
                    boolean held = leases.take(message.path("identity").asText(), message.path("holder").asText(),
                            message.path("max").asInt(), message.path("leaseMs").asLong());
                    return Control.encode(Control.op(Control.LEASED).put("rid", message.path("rid").asLong())
                            .put("held", held));
                }
                case Control.UNLEASE -> leases.release(message.path("identity").asText(), message.path("holder").asText());
                case Control.RENEW -> {
                    long leaseMs = message.path("leaseMs").asLong();
                    Map<String, Set<String>> held = new java.util.HashMap<>();
                    message.path("held").fields().forEachRemaining(e -> {
                        Set<String> holders = new java.util.HashSet<>();
                        e.getValue().forEach(h -> holders.add(h.asText()));
                        held.put(e.getKey(), holders);
                    });
                    leases.renew(held, leaseMs);
                    leases.sweep();
                }
                default -> {
                }
            }
            return null;
        }
    }
}
