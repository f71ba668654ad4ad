package dev.qsio.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The overload campaign's rules, over what a run measured ({@link Run}): the well-behaved clients untouched by each
 * abuse (no loss, duplicate or reordering, which {@link Checker} finds in their histories; none disconnected; every
 * acknowledgement answered; delivery p99 within the bound of the quiet phase's), the server whole (no worker out of
 * memory or replaced), and each abuser meeting its documented end.
 */
public final class OverloadChecker {

    /** The quiet phase: the well-behaved clients and nothing else; the others' latencies are compared with it. */
    public static final String QUIET = "quiet";

    /**
     * A delivery latency histogram: 281 buckets, 1 ms wide up to 100 ms, 10 ms up to 1 s, 100 ms up to 10 s, and one
     * for the rest (as {@code campaign.mjs} counts them).
     */
    public record Latency(long[] buckets) {

        public static final int SIZE = 281;

        public static Latency empty() {
            return new Latency(new long[SIZE]);
        }

        /** The bucket of a latency in milliseconds. */
        public static int bucket(long ms) {
            return ms < 100 ? (int) Math.max(0, ms)
                    : ms < 1000 ? 100 + (int) ((ms - 100) / 10) : ms < 10_000 ? 190 + (int) ((ms - 1000) / 100) : 280;
        }

        /** The upper bound of a bucket, in milliseconds (the last one's: 60 s, "more than 10 s"). */
        public static long upper(int b) {
            return b < 100 ? b + 1 : b < 190 ? 100 + (b - 99) * 10L : b < 280 ? 1000 + (b - 189) * 100L : 60_000;
        }

        public void add(Latency other) {
            for (int i = 0; i < SIZE; i++) {
                buckets[i] += other.buckets[i];
            }
        }

        public long count() {
            long n = 0;
            for (long b : buckets) {
                n += b;
            }
            return n;
        }

        /** The upper bound of the bucket that holds the quantile {@code q}, in milliseconds; 0 when empty. */
        public long quantile(double q) {
            long n = count();
            if (n == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * n);
            long seen = 0;
            for (int i = 0; i < SIZE; i++) {
                seen += buckets[i];
                if (seen >= Math.max(1, rank)) {
                    return upper(i);
                }
            }
            return upper(SIZE - 1);
        }
    }

    /**
     * One phase: its name and length (the seconds its abusers ran, from their start to their stop being confirmed:
     * what their limits are judged over), the well-behaved clients' deliveries and acknowledgements in it (with the
     * acknowledgements that failed: a timeout or a lost connection), their disconnections, the abusers' outcomes
     * (their counters over the phase) and the server's figures over the phase, summed over its workers.
     */
    public record Phase(String name, long seconds, Latency latency, long acks, long ackFailures, long ackP99Ms,
            long disconnects, Map<String, Long> abusers, Map<String, Long> server) {

        long abuser(String key) {
            return abusers.getOrDefault(key, 0L);
        }

        /** The sum of the abusers' counters whose key starts with {@code prefix}. */
        long abusersStartingWith(String prefix) {
            return abusers.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue)
                    .sum();
        }
    }

    /**
     * The limits the run was configured with, which the abusers' outcomes are checked against: handshakes per second
     * and burst per address, the Admin UI's failed logins allowed per address in its window (a login under way counts
     * as one), the workers (each counts its own), the latency bound (a phase's p99 at most {@code factor} times the
     * quiet phase's plus {@code slackMs}), the heartbeat's bound on a client that answers nothing, and the cooldown
     * of a flooder's address ({@code inbound.cooldown}, 0 when off).
     */
    public record Limits(double handshakesPerSecond, int handshakeBurst, int loginFailures, long loginWindowSeconds,
            int workers, double factor, long slackMs, long heartbeatSeconds, long cooldownSeconds) {
    }

    /**
     * A run: its phases in order, what {@link Checker} found in the well-behaved clients' histories, and whether a
     * worker ran out of memory or was replaced.
     */
    public record Run(List<Phase> phases, List<Checker.Violation> histories, boolean outOfMemory, boolean workersReplaced,
            Limits limits) {
    }

    private final List<Checker.Violation> violations = new ArrayList<>();

    private OverloadChecker() {
    }

    public static List<Checker.Violation> check(Run run) {
        OverloadChecker c = new OverloadChecker();
        c.run(run);
        return List.copyOf(c.violations);
    }

    /** The p99 a phase may reach: the quiet phase's times the factor, plus the slack. */
    public static long bound(Run run) {
        Phase quiet = run.phases().stream().filter(p -> p.name().equals(QUIET)).findFirst().orElse(null);
        return quiet == null ? 0 : Math.round(quiet.latency().quantile(0.99) * run.limits().factor()) + run.limits().slackMs();
    }

    private void violation(String rule, String who, String detail) {
        violations.add(new Checker.Violation(rule, who, detail));
    }

    private void run(Run run) {
        violations.addAll(run.histories());
        if (run.outOfMemory()) {
            violation("memory", "server", "a worker ran out of memory (OutOfMemoryError in the log)");
        }
        if (run.workersReplaced()) {
            violation("memory", "server", "a worker was replaced during the run");
        }
        Limits l = run.limits();
        Phase quiet = run.phases().stream().filter(p -> p.name().equals(QUIET)).findFirst().orElse(null);
        if (quiet == null || quiet.latency().count() == 0) {
            violation("latency", QUIET, "no deliveries measured in the quiet phase");
            return;
        }
        long bound = bound(run);
        for (Phase p : run.phases()) {
            if (p.latency().count() == 0) {
                violation("latency", p.name(), "no deliveries measured");
            } else if (!p.name().equals(QUIET) && p.latency().quantile(0.99) > bound) {
                violation("latency", p.name(), "delivery p99 " + p.latency().quantile(0.99) + " ms, over the bound of "
                        + bound + " ms (quiet p99 " + quiet.latency().quantile(0.99) + " ms x " + l.factor() + " + "
                        + l.slackMs() + " ms)");
            }
            if (p.disconnects() > 0) {
                violation("disconnect", p.name(), p.disconnects() + " well-behaved clients disconnected");
            }
            if (p.ackFailures() > 0) {
                violation("ack", p.name(), p.ackFailures() + " of " + p.acks() + " acknowledgements failed");
            }
            if (p.abusersStartingWith("flood.connect") > 0) {
                flood(p, l);
            }
            if (p.abuser("storm.sent") > 0) {
                storm(p, l);
            }
            if (p.abuser("guess.attempts") > 0) {
                guess(p, l);
            }
            if (p.abuser("slow.paused") > 0) {
                slow(p, l);
            }
        }
    }

    /**
     * Flooders past the inbound limit: their events refused, counted, and each flooder disconnected; with a cooldown,
     * their reconnections refused while their address cools down.
     */
    private void flood(Phase p, Limits l) {
        if (l.cooldownSeconds() > 0 && p.server().getOrDefault("handshakesRefusedCooldown", 0L) == 0) {
            violation("flood", p.name(), "no flooder's reconnection was refused in its address's cooldown ("
                    + p.abuser("flood.connect") + " connections)");
        }
        if (p.server().getOrDefault("eventsLimited", 0L) == 0) {
            violation("flood", p.name(), "the flooders' events were never limited (eventsLimited 0, "
                    + p.abuser("flood.emitted") + " emitted)");
        }
        if (p.abusersStartingWith("flood.disconnect.") == 0) {
            violation("flood", p.name(), "no flooder was disconnected");
        }
    }

    /**
     * A handshake storm: from each address no more sessions than its rate and burst allow (per worker), the rest
     * refused with 429 (past an address's limits) or 503 (past the process's {@code max-connections}), and no request
     * failing otherwise.
     */
    private void storm(Phase p, Limits l) {
        long accepted = p.abuser("storm.status.200");
        long refused = p.abuser("storm.status.429") + p.abuser("storm.status.503");
        long addresses = Math.max(1, p.abuser("storm.addresses"));
        long allowed = (long) Math.ceil(addresses * l.workers() * (l.handshakeBurst() + l.handshakesPerSecond() * p.seconds()));
        if (accepted > allowed) {
            violation("storm", p.name(), accepted + " handshakes accepted from " + addresses + " addresses, over the "
                    + allowed + " their limits allow in " + p.seconds() + " s");
        }
        long other = p.abusersStartingWith("storm.status.") - accepted - refused + p.abusersStartingWith("storm.error.");
        if (other > 0) {
            violation("storm", p.name(), other + " handshakes answered otherwise than 200, 429 or 503: " + p.abusers());
        }
        if (accepted + refused == 0) {
            violation("storm", p.name(), "no handshake of the storm was answered");
        }
    }

    /**
     * A password guesser: never let in; per worker and window at most the allowed failures get as far as a password
     * check (a window begins at an address's first failure, so a phase of {@code s} seconds spans at most
     * {@code 1 + s / window} of them), the rest refused without one. The checks are the servers' own count
     * ({@code adminLogins.checked} in the figures each worker reports), at least the wrong passwords the guesser was
     * told of.
     */
    private void guess(Phase p, Limits l) {
        if (p.abuser("guess.accepted") > 0) {
            violation("guess", p.name(), "a guessed password was accepted");
        }
        long checked = p.server().getOrDefault("adminLogins.checked", 0L);
        long told = p.abuser("guess.refused.invalid credentials");
        if (checked < told) {
            // each "invalid credentials" answer followed a check: the workers' figures miss some
            violation("guess", p.name(), "the workers' figures show " + checked + " passwords checked "
                    + "(adminLogins.checked), fewer than the " + told + " wrong ones the guesser was told of");
        }
        long windows = 1 + p.seconds() / Math.max(1, l.loginWindowSeconds());
        long allowed = l.workers() * l.loginFailures() * windows;
        if (checked > allowed) {
            violation("guess", p.name(), checked + " wrong passwords checked, over the " + allowed
                    + " the login limit allows");
        }
        if (p.abusersStartingWith("guess.refused.too many") == 0) {
            violation("guess", p.name(), "the guesser was never told it is limited");
        }
    }

    /**
     * Clients that stopped reading: ended by the server (the heartbeat or a slow-consumer rule) when the phase outlasts
     * the heartbeat's bound; none still open then.
     */
    private void slow(Phase p, Limits l) {
        long open = p.abuser("slow.outcome.open");
        if (p.seconds() > l.heartbeatSeconds() + 5 && open > 0) {
            violation("slow", p.name(), open + " clients that read nothing were still open after " + p.seconds() + " s");
        }
    }
}
