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
 * ({@link Keeper}, in memory), asked for on the local bus's CONTROL channel. A worker that exits (a crash, a kill, a
 * stop) frees its leases at once, since its primary sees the exit; the primary's death ends its workers, and the
 * leases with them.
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

    /**
     * The primary's side: the leases of its host, the answers to its workers' requests, and which worker holds each
     * lease, so that a worker's exit frees its places at once (the primary sees the exit; nothing else would until the
     * leases expired).
     */
    static final class Keeper {
        private final LocalIdentityLeases leases = new LocalIdentityLeases();
        /** By worker slot: the holders of each identity it took or renewed. */
        private final Map<Integer, Map<String, Set<String>>> bySlot = new java.util.HashMap<>();

        /** Handles a lease op of the worker of {@code slot}; the answer to send back to it, or null. */
        synchronized Buffer handle(int slot, JsonNode message) {
            String identity = message.path("identity").asText();
            String holder = message.path("holder").asText();
            switch (message.path("op").asText()) {
                case Control.LEASE -> {
                    boolean held = leases.take(identity, holder, message.path("max").asInt(),
                            message.path("leaseMs").asLong());
                    if (held) {
                        holders(slot, identity).add(holder);
                    }
                    return Control.encode(Control.op(Control.LEASED).put("rid", message.path("rid").asLong())
                            .put("held", held));
                }
                case Control.UNLEASE -> {
                    leases.release(identity, holder);
                    Map<String, Set<String>> mine = bySlot.get(slot);
                    if (mine != null && mine.containsKey(identity)) {
                        mine.get(identity).remove(holder);
                        mine.values().removeIf(Set::isEmpty);
                    }
                }
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
                    // the record follows: what it renews is added (a lease taken while the renewal was on its way
                    // stays), what has expired meanwhile is forgotten
                    held.forEach((name, holders) -> holders(slot, name).addAll(holders));
                    Map<String, Set<String>> mine = bySlot.getOrDefault(slot, Map.of());
                    mine.forEach((name, holders) -> holders.removeIf(h -> !leases.holds(name, h)));
                    mine.values().removeIf(Set::isEmpty);
                }
                default -> {
                }
            }
            return null;
        }

        /** The worker of {@code slot} exited: its leases end now. Returns how many. */
        synchronized int forget(int slot) {
            Map<String, Set<String>> mine = bySlot.remove(slot);
            if (mine == null) {
                return 0;
            }
            int n = 0;
            for (Map.Entry<String, Set<String>> e : mine.entrySet()) {
                for (String holder : e.getValue()) {
                    leases.release(e.getKey(), holder);
                    n++;
                }
            }
            return n;
        }

        /** The live leases of {@code identity} on this host. */
        synchronized int count(String identity) {
            return leases.count(identity);
        }

        private Set<String> holders(int slot, String identity) {
            return bySlot.computeIfAbsent(slot, s -> new java.util.HashMap<>()).computeIfAbsent(identity,
                    i -> new java.util.HashSet<>());
        }
    }
}
