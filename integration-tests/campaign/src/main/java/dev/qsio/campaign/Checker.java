package dev.qsio.campaign;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.qsio.campaign.History.FaultWindow;
import dev.qsio.campaign.History.Life;
import dev.qsio.campaign.History.Publish;
import dev.qsio.campaign.History.Publisher;
import dev.qsio.campaign.History.Run;
import dev.qsio.campaign.History.Subscriber;
import dev.qsio.campaign.Schedule.Kind;

/**
 * Reads every client's history and says what broke the product's guarantees. The rules:
 * <ol>
 * <li><b>duplicate</b>: no client receives a broadcast twice (every client, churning ones too);</li>
 * <li><b>order</b>: no client receives a broadcast after a later one of the same origin (an origin is one
 * publisher's connection to one server, for one room);</li>
 * <li><b>loss</b>: a subscriber that was in the room when a broadcast was acknowledged to its publisher receives it,
 * except (each counted in the verdict, none silently) a broadcast published while the publisher's host or the
 * subscriber's could not reach Redis, or in the second before (dropped, not queued, as documented), one acknowledged by a server that was
 * SIGKILLed right after (its message to Redis may not have left), and, without recovery or when a reconnection was not
 * recovered, one published while the subscriber's connection was up but after which nothing later of the same
 * origin came on that connection before it closed: gaps only around a disconnect;</li>
 * <li><b>recovery</b>: with connection state recovery on, every reconnection recovers, unless Redis lost its data
 * (killed, or a master failed over), the client was away longer than the recovery window, or the reconnection
 * happened while a host it left or came to could not reach Redis (that host can neither read a session nor store the
 * one it makes; gaps then only around that disconnect, as without recovery);</li>
 * <li><b>ack</b>: every request with an acknowledgement settles exactly once, answered or with an error (its timeout);
 * every publish too;</li>
 * <li><b>readiness</b>: a host that cannot reach Redis for 8 s or more reports not ready meanwhile, and every host
 * affected by a fault is ready again within 30 s of its healing;</li>
 * <li><b>convergence</b>: after each fault healed, every client is connected again, fetchSockets sees every subscriber
 * and serverCount every server, within {@link Topology#convergenceBound} (the campaign measures the time).</li>
 * </ol>
 */
public final class Checker {

    /** After a SIGKILL, how recent an acknowledged publish of a server of that host may be lost. */
    static final long KILL_SLACK_MS = 2000;
    /** After a host is ready again, how long its broadcasts may still be dropped (its connections are new). */
    static final long REDIS_SLACK_MS = 2000;
    /** How long before Redis became unreachable a broadcast acknowledged by a server may still have been in flight. */
    static final long IN_FLIGHT_MS = 1000;
    /** The recovery window (quarkus.socketio.connection-state-recovery.max-disconnection-duration). */
    static final long RECOVERY_WINDOW_MS = 120_000;
    static final long READY_AGAIN_MS = 30_000;
    static final long NOT_READY_HOLD_MS = 8_000;

    public record Violation(String rule, String who, String detail) {
        @Override
        public String toString() {
            return rule + " " + who + ": " + detail;
        }
    }

    /** The violations, and what was counted: deliveries checked, losses excused by reason, acknowledgements. */
    public record Verdict(List<Violation> violations, Map<String, Long> counts) {
    }

    private final boolean recovery;
    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, Long> counts = new TreeMap<>();

    private Checker(boolean recovery) {
        this.recovery = recovery;
    }

    public static Verdict check(History history, boolean recovery) {
        Checker c = new Checker(recovery);
        c.run(history);
        return new Verdict(List.copyOf(c.violations), Map.copyOf(c.counts));
    }

    private void count(String what, long n) {
        counts.merge(what, n, Long::sum);
    }

    private void violation(String rule, String who, String detail) {
        // a flood of one kind is one problem: keep the first 50 of each rule, count the rest
        long seen = violations.stream().filter(v -> v.rule().equals(rule)).count();
        if (seen < 50) {
            violations.add(new Violation(rule, who, detail));
        }
        count("violations." + rule, 1);
    }

    private void run(History h) {
        List<Subscriber> everyone = new ArrayList<>(h.subscribers());
        everyone.addAll(h.churn());
        for (Subscriber s : everyone) {
            duplicatesAndOrder(s);
            acks(s);
        }
        Map<String, Publisher> byName = new HashMap<>();
        for (Publisher p : h.publishers()) {
            byName.put(p.name(), p);
            for (Publish b : p.pubs()) {
                count("publishes", 1);
                count("publishes." + (b.outcome() == 1 ? "acknowledged" : b.outcome() == 0 ? "failed" : "unsettled"), 1);
                if (b.outcome() == -1) {
                    violation("ack", p.name(), "publish " + b.key() + " #" + b.seq() + " never settled");
                }
            }
        }
        for (Subscriber s : h.subscribers()) {
            losses(s, h, byName);
            if (recovery) {
                recoveries(s, h);
            }
        }
        readiness(h);
        for (FaultWindow f : h.faults()) {
            if (f.converged() == null) {
                violation("convergence", f.kind().label() + (f.host() == null ? "" : " " + f.host()),
                        "fault " + f.index() + ": the cluster was not as before within "
                                + Topology.convergenceBound(f.kind()).toSeconds() + " s of healing");
            }
        }
    }

    /** Rule 1 and 2, over the runs of each origin in the order they arrived. */
    private void duplicatesAndOrder(Subscriber s) {
        for (Map.Entry<String, List<Run>> e : s.runs().entrySet()) {
            // the numbers seen so far, as disjoint ranges by their first number
            TreeMap<Long, Long> seen = new TreeMap<>();
            long max = -1;
            for (Run r : e.getValue()) {
                count("deliveries", r.last() - r.first() + 1);
                long overlap = overlap(seen, r.first(), r.last());
                if (overlap > 0) {
                    violation("duplicate", s.name(), overlap + " of " + e.getKey() + " #" + r.first() + ".." + r.last()
                            + " received again (connection " + r.conn() + ", at " + r.tFirst() + ")");
                } else if (r.first() < max) {
                    violation("order", s.name(), e.getKey() + " #" + r.first() + ".." + r.last() + " after #" + max
                            + " (connection " + r.conn() + ", at " + r.tFirst() + ")");
                }
                add(seen, r.first(), r.last());
                max = Math.max(max, r.last());
            }
        }
    }

    private static long overlap(TreeMap<Long, Long> ranges, long first, long last) {
        long n = 0;
        for (Map.Entry<Long, Long> e : ranges.headMap(last, true).descendingMap().entrySet()) {
            if (e.getValue() < first) {
                break;
            }
            n += Math.min(last, e.getValue()) - Math.max(first, e.getKey()) + 1;
        }
        return n;
    }

    private static void add(TreeMap<Long, Long> ranges, long first, long last) {
        Map.Entry<Long, Long> before = ranges.floorEntry(first);
        if (before != null && before.getValue() >= first - 1) {
            first = before.getKey();
            last = Math.max(last, before.getValue());
            ranges.remove(before.getKey());
        }
        Map.Entry<Long, Long> next = ranges.ceilingEntry(first);
        while (next != null && next.getKey() <= last + 1) {
            last = Math.max(last, next.getValue());
            ranges.remove(next.getKey());
            next = ranges.ceilingEntry(first);
        }
        ranges.put(first, last);
    }

    private static boolean contains(TreeMap<Long, Long> ranges, long n) {
        Map.Entry<Long, Long> e = ranges.floorEntry(n);
        return e != null && e.getValue() >= n;
    }

    /** Rule 5 for a client's own requests. */
    private void acks(Subscriber s) {
        for (History.Ack a : s.acks()) {
            count("acks." + a.kind() + "." + (a.outcome() == 1 ? "answered" : a.outcome() == 0 ? "error" : "unsettled"), 1);
            if (a.calls() == 0) {
                violation("ack", s.name(), a.kind() + " asked at " + a.tInvoke() + " never settled");
            } else if (a.calls() > 1) {
                violation("ack", s.name(), a.kind() + " asked at " + a.tInvoke() + " settled " + a.calls() + " times");
            }
        }
    }

    /** A subscriber's connections: when each began and ended, and whether it was recovered. */
    private record Connection(int n, long start, long end, boolean recovered) {
    }

    private static List<Connection> connections(Subscriber s) {
        List<Connection> list = new ArrayList<>();
        int n = 0;
        long start = -1;
        boolean recovered = false;
        for (Life l : s.life()) {
            if (l.type().equals("connect")) {
                n++;
                start = l.t();
                recovered = l.recovered();
            } else if (l.type().equals("disconnect") && start >= 0) {
                list.add(new Connection(n, start, l.t(), recovered));
                start = -1;
            }
        }
        if (start >= 0) {
            list.add(new Connection(n, start, Long.MAX_VALUE, recovered));
        }
        return list;
    }

    /**
     * When the subscriber was in each room: from a join's acknowledgement until the disconnection before a connection
     * that was not recovered (a new socket has no rooms).
     */
    private static Map<String, List<long[]>> memberships(Subscriber s) {
        Map<String, List<long[]>> rooms = new HashMap<>();
        // the end of the last connection: attempts that failed in between report disconnects of their own
        long lastDisconnect = -1;
        boolean connected = false;
        for (Life l : s.life()) {
            switch (l.type()) {
                case "join" -> rooms.computeIfAbsent(l.detail(), r -> new ArrayList<>())
                        .add(new long[] { l.t(), Long.MAX_VALUE });
                case "disconnect" -> {
                    if (connected) {
                        lastDisconnect = l.t();
                        connected = false;
                    }
                }
                case "connect" -> {
                    connected = true;
                    if (!l.recovered() && lastDisconnect >= 0) {
                        for (List<long[]> spans : rooms.values()) {
                            long[] last = spans.get(spans.size() - 1);
                            if (last[1] == Long.MAX_VALUE) {
                                last[1] = lastDisconnect;
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        return rooms;
    }

    /** The host of the subscriber's session at a time: the last {@code where} answer before it. */
    private static String hostAt(Subscriber s, long t) {
        String host = null;
        for (Life l : s.life()) {
            if (l.type().equals("where")) {
                if (l.t() > t && host != null) {
                    break;
                }
                host = hostOf(l.detail());
            }
        }
        return host;
    }

    /** The hosts that served a connection, by its {@code where} answers; null in the list when it had none. */
    private static List<String> hostsOf(Subscriber s, Connection c) {
        List<String> hosts = new ArrayList<>();
        for (Life l : s.life()) {
            if (l.type().equals("where") && l.t() >= c.start() && l.t() <= c.end()) {
                hosts.add(hostOf(l.detail()));
            }
        }
        if (hosts.isEmpty()) {
            hosts.add(null);
        }
        return hosts;
    }

    /** {@code host-a/1} is host {@code a}. */
    static String hostOf(String where) {
        String node = where.replace("\"", "").split("/")[0];
        return node.startsWith("host-") ? node.substring(5) : node;
    }

    /** Rule 3. */
    private void losses(Subscriber s, History h, Map<String, Publisher> publishers) {
        Map<String, List<long[]>> rooms = memberships(s);
        List<Connection> connections = connections(s);
        for (Publisher p : h.publishers()) {
            for (Publish b : p.pubs()) {
                if (b.outcome() != 1 || !member(rooms.get(b.room()), b.tInvoke())) {
                    continue;
                }
                count("expected", 1);
                List<Run> runs = s.runs().get(b.key());
                if (runs != null && runs.stream().anyMatch(r -> r.first() <= b.seq() && b.seq() <= r.last())) {
                    continue;
                }
                String excuse = excuse(s, p, b, h, connections);
                if (excuse != null) {
                    count("lost." + excuse, 1);
                    continue;
                }
                violation("loss", s.name(), b.key() + " #" + b.seq() + " acknowledged at " + b.tOutcome()
                        + " (published at " + b.tInvoke() + ", subscriber on host " + hostAt(s, b.tInvoke())
                        + ") never received; connections: " + connections.stream().filter(c -> c.end() >= b.tInvoke() - 60000
                                && c.start() <= b.tInvoke() + 60000).toList());
            }
        }
    }

    private static boolean member(List<long[]> spans, long t) {
        if (spans == null) {
            return false;
        }
        for (long[] span : spans) {
            if (span[0] < t && t < span[1]) {
                return true;
            }
        }
        return false;
    }

    /** Why a loss is what the design allows, or null. */
    private String excuse(Subscriber s, Publisher p, Publish b, History h, List<Connection> connections) {
        String subscriberHost = hostAt(s, b.tInvoke());
        for (FaultWindow f : h.faults()) {
            long until = readyAgain(h, f) + REDIS_SLACK_MS;
            // an acknowledgement says the broadcast was handed over, not that it reached Redis: one acknowledged just
            // before Redis became unreachable may still have been on its way. When it was acknowledged, not when the
            // client sent it: a busy server acknowledges seconds after the send, and one acknowledged once Redis was
            // unreachable was handed over then
            if (b.tOutcome() >= f.start() - IN_FLIGHT_MS && b.tInvoke() <= until
                    && (p.host() != null && f.cutFromRedis().contains(p.host())
                            || subscriberHost != null && f.cutFromRedis().contains(subscriberHost))) {
                return "redis-unreachable";
            }
            if ((f.kind() == Kind.KILL_WORKER || f.kind() == Kind.KILL_PRIMARY || f.kind() == Kind.KILL_HOST)
                    // the signal went out between the fault's start and its end (healed), not at its start
                    && p.host().equals(f.host()) && b.tOutcome() <= f.healed() && b.tOutcome() >= f.start() - KILL_SLACK_MS
                    && disconnectedBetween(p.life(), f.start(), f.start() + 60_000)) {
                return "publisher-killed";
            }
        }
        List<Run> runs = s.runs().getOrDefault(b.key(), List.of());
        for (Connection c : connections) {
            boolean unrecovered = !recovery || connections.stream().anyMatch(n -> n.n() == c.n() + 1 && !n.recovered());
            // the connection ended before the broadcast came, and nothing later of its origin came on it
            if (unrecovered && c.end() != Long.MAX_VALUE && b.tInvoke() > c.start() && b.tInvoke() <= c.end()
                    && runs.stream().noneMatch(r -> r.conn() == c.n() && r.last() > b.seq())) {
                return "around-disconnect";
            }
        }
        return null;
    }

    private static boolean disconnectedBetween(List<Life> life, long from, long to) {
        return life.stream().anyMatch(l -> l.type().equals("disconnect") && l.t() >= from && l.t() <= to);
    }

    /** When the hosts a fault cut from Redis were all ready again after it healed (its healing if none was cut). */
    private static long readyAgain(History h, FaultWindow f) {
        long t = f.healed();
        for (String host : f.cutFromRedis()) {
            long ready = h.readiness().stream().filter(r -> r.host().equals(host) && r.t() >= f.healed() && r.status() == 200)
                    .mapToLong(History.Readiness::t).min().orElse(f.converged() == null ? Long.MAX_VALUE : f.converged());
            t = Math.max(t, ready);
        }
        return t;
    }

    /** Rule 4. */
    private void recoveries(Subscriber s, History h) {
        List<Connection> connections = connections(s);
        for (int i = 1; i < connections.size(); i++) {
            Connection before = connections.get(i - 1);
            Connection c = connections.get(i);
            if (c.recovered()) {
                count("reconnections.recovered", 1);
                continue;
            }
            boolean stateLost = h.faults().stream().anyMatch(f -> (f.kind() == Kind.REDIS_KILL
                    || f.kind() == Kind.REDIS_FAILOVER) && f.start() <= c.start() && f.healed() >= before.end() - 150_000);
            if (stateLost) {
                count("reconnections.unrecovered.redis-data-lost", 1);
            } else if (awayFromRedis(s, h, before, c)) {
                count("reconnections.unrecovered.redis-unreachable", 1);
            } else if (c.start() - before.end() > RECOVERY_WINDOW_MS) {
                count("reconnections.unrecovered.too-long", 1);
            } else {
                violation("recovery", s.name(), "connection " + c.n() + " at " + c.start() + " not recovered (away "
                        + (c.start() - before.end()) + " ms; disconnected at " + before.end() + ")");
            }
        }
    }

    /**
     * Whether a reconnection happened while a host that served the connection it left, or the one it made, could not
     * reach Redis (from the fault until that host is ready again): such a host cannot read the stored session, and a
     * socket it makes meanwhile is not stored, so that the next reconnection cannot recover it either. A connection
     * whose server is unknown (no {@code where} was answered on it) may have been on that host.
     */
    private static boolean awayFromRedis(Subscriber s, History h, Connection before, Connection c) {
        List<String> hosts = new ArrayList<>(hostsOf(s, before));
        hosts.addAll(hostsOf(s, c));
        for (FaultWindow f : h.faults()) {
            long until = readyAgain(h, f) + REDIS_SLACK_MS;
            if (before.end() <= until && c.start() >= f.start()
                    && hosts.stream().anyMatch(host -> host == null || f.cutFromRedis().contains(host))) {
                return true;
            }
        }
        return false;
    }

    /** Rule 6. */
    private void readiness(History h) {
        for (FaultWindow f : h.faults()) {
            for (String host : f.cutFromRedis()) {
                List<History.Readiness> samples = h.readiness().stream().filter(r -> r.host().equals(host))
                        .sorted(Comparator.comparingLong(History.Readiness::t)).toList();
                boolean unreachable = f.kind() == Kind.PARTITION_HOST_REDIS || f.kind() == Kind.REDIS_KILL
                        || f.kind() == Kind.REDIS_PAUSE;
                if (unreachable && f.healed() - f.start() >= NOT_READY_HOLD_MS && samples.stream().noneMatch(r -> r.t() >= f.start()
                        && r.t() <= f.healed() && r.status() == 503)) {
                    violation("readiness", host, "stayed ready while it could not reach Redis for "
                            + (f.healed() - f.start()) + " ms (fault " + f.index() + " " + f.kind().label() + ")");
                }
                if (samples.stream().noneMatch(r -> r.t() >= f.healed() && r.t() <= f.healed() + READY_AGAIN_MS
                        && r.status() == 200)) {
                    violation("readiness", host, "not ready again within " + READY_AGAIN_MS / 1000
                            + " s of the healing of fault " + f.index() + " " + f.kind().label());
                }
            }
        }
    }
}
