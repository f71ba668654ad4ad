package dev.qsio.campaign;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The generator: from a seed, the variant of the cluster and the faults to inject, one after the other, each with its
 * target, its parameters and how long it lasts. The same seed gives the same schedule on any machine
 * ({@link SplittableRandom} is specified), so that a failing seed replays. The kinds come as a deck, shuffled by the
 * seed and dealt again when empty, so that a run of a dozen faults sees every kind its variant has.
 */
public final class Schedule {

    /** What the cluster is: its Redis and whether connection state recovery is on. */
    public enum Variant {
        /** One Redis, recovery on: a client that reconnects must miss nothing. */
        REDIS_RECOVERY("redis", true),
        /** One Redis, recovery off: gaps only around a disconnect. */
        REDIS_PLAIN("redis", false),
        /** A Redis Cluster of 3 masters and 3 replicas, recovery on. */
        CLUSTER_RECOVERY("cluster", true);

        public final String redis;
        public final boolean recovery;

        Variant(String redis, boolean recovery) {
            this.redis = redis;
            this.recovery = recovery;
        }

        public boolean cluster() {
            return redis.equals("cluster");
        }
    }

    /** The kinds of fault. */
    public enum Kind {
        KILL_WORKER, KILL_PRIMARY, KILL_HOST, ROLLING_RESTART, SCALE, PAUSE_WORKER_SHORT, PAUSE_WORKER_LONG,
        REDIS_KILL, REDIS_PAUSE, REDIS_FAILOVER, PARTITION_HOST_REDIS, PARTITION_HOSTS, LATENCY, LOSS,
        /** A host stopped gracefully (SIGTERM) and started again: a step of the deploy campaign, not a fault drawn here. */
        STOP_HOST;

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }

        /** Kinds by their labels, comma-separated ({@code partition-hosts,latency}). */
        public static Set<Kind> parse(String labels) {
            Set<Kind> kinds = EnumSet.noneOf(Kind.class);
            for (String label : labels.split(",")) {
                String l = label.trim();
                kinds.add(java.util.Arrays.stream(values()).filter(k -> k.label().equals(l)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no fault kind " + l + "; the kinds: "
                                + java.util.Arrays.stream(values()).map(Kind::label).toList())));
            }
            return kinds;
        }

        /** Whether the kind applies to a variant: failover needs a Redis Cluster, kill and pause one Redis. */
        boolean appliesTo(Variant variant) {
            return switch (this) {
                case REDIS_FAILOVER -> variant.cluster();
                case REDIS_KILL, REDIS_PAUSE -> !variant.cluster();
                case STOP_HOST -> false;
                default -> true;
            };
        }
    }

    /**
     * One fault: its kind, the host it targets (null for Redis and the links between hosts), its amount (milliseconds
     * of delay, per mille lost, or which worker or Redis master, counted from 0), how long it holds before it heals,
     * and the calm that follows once the cluster has converged.
     */
    public record Fault(int index, Kind kind, String host, int amount, int holdMs, int calmMs) {

        public String describe() {
            String what = kind.label() + (host == null ? "" : " " + host);
            return switch (kind) {
                case LATENCY -> what + " " + amount + " ms each way for " + holdMs + " ms";
                case LOSS -> what + " " + (amount / 10.0) + "% for " + holdMs + " ms";
                case KILL_WORKER, ROLLING_RESTART -> what;
                default -> what + " for " + holdMs + " ms";
            };
        }
    }

    private final long seed;
    private final Variant variant;
    private final List<Fault> faults;

    private Schedule(long seed, Variant variant, List<Fault> faults) {
        this.seed = seed;
        this.variant = variant;
        this.faults = faults;
    }

    /** The variant a seed gives when none is asked for: the three in turn. */
    public static Variant variantOf(long seed) {
        return Variant.values()[(int) Math.floorMod(seed, Variant.values().length)];
    }

    /** The schedule of a seed: as many faults as {@code count}. */
    public static Schedule of(long seed, Variant variant, int count, List<String> hosts) {
        return of(seed, variant, count, hosts, EnumSet.allOf(Kind.class));
    }

    /**
     * The schedule of a seed, its faults drawn from {@code kinds} only (those that apply to the variant): the build's
     * short campaign leaves out the kinds that start JVMs again, which other tests cover and which take the longest to
     * converge. The same seed and kinds give the same schedule.
     */
    public static Schedule of(long seed, Variant variant, int count, List<String> hosts, Set<Kind> kinds) {
        if (kinds.stream().noneMatch(k -> k.appliesTo(variant))) {
            throw new IllegalArgumentException("none of the kinds " + kinds + " applies to the variant " + variant);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Kind> deck = new ArrayList<>();
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (deck.isEmpty()) {
                for (Kind k : Kind.values()) {
                    if (k.appliesTo(variant) && kinds.contains(k)) {
                        deck.add(k);
                    }
                }
                // Fisher-Yates with the seed's generator
                for (int j = deck.size() - 1; j > 0; j--) {
                    int o = random.nextInt(j + 1);
                    Kind t = deck.get(j);
                    deck.set(j, deck.get(o));
                    deck.set(o, t);
                }
            }
            Kind kind = deck.remove(0);
            String host = hosts.get(random.nextInt(hosts.size()));
            int calm = 2000 + random.nextInt(4000);
            int which = random.nextInt(3);
            faults.add(switch (kind) {
                case KILL_WORKER -> new Fault(i, kind, host, which, 0, calm);
                case ROLLING_RESTART -> new Fault(i, kind, host, 0, 0, calm);
                case KILL_PRIMARY, KILL_HOST -> new Fault(i, kind, host, 0, 1000 + random.nextInt(4000), calm);
                case SCALE -> new Fault(i, kind, host, 0, 3000 + random.nextInt(7000), calm);
                // a GC pause or a short stall: well inside what clients tolerate
                case PAUSE_WORKER_SHORT -> new Fault(i, kind, host, which, 1000 + random.nextInt(7000), calm);
                // longer than the ping timeout (20 s), shorter than the stall timeout (45 s)
                case PAUSE_WORKER_LONG -> new Fault(i, kind, host, which, 21000 + random.nextInt(9000), calm);
                case REDIS_KILL, REDIS_PAUSE, REDIS_FAILOVER -> new Fault(i, kind, null, which,
                        2000 + random.nextInt(8000), calm);
                case PARTITION_HOST_REDIS -> new Fault(i, kind, host, 0, 4000 + random.nextInt(16000), calm);
                case PARTITION_HOSTS -> new Fault(i, kind, null, 0, 5000 + random.nextInt(10000), calm);
                case LATENCY -> new Fault(i, kind, host, 50 + random.nextInt(451), 5000 + random.nextInt(10000), calm);
                case LOSS -> new Fault(i, kind, host, 10 + random.nextInt(91), 5000 + random.nextInt(10000), calm);
                case STOP_HOST -> throw new IllegalStateException("a deploy's step, not a fault of the campaign");
            });
        }
        return new Schedule(seed, variant, List.copyOf(faults));
    }

    public long seed() {
        return seed;
    }

    public Variant variant() {
        return variant;
    }

    public List<Fault> faults() {
        return faults;
    }
}
