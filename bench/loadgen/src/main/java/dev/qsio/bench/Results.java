package dev.qsio.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** What one run measured, as written to results.json. Public fields so that Jackson writes them as they are. */
final class Results {

    public String started;
    public String finished;
    public String mode;
    public Map<String, Object> machine = new LinkedHashMap<>();
    public Map<String, String> versions = new LinkedHashMap<>();
    public Map<String, Object> settings = new LinkedHashMap<>();
    public List<TargetResult> targets = new ArrayList<>();
    public Profile profile;

    /** Latency percentiles in milliseconds. */
    record Latency(long count, double p50, double p90, double p99, double p999, double max) {

        static Latency of(Histogram h) {
            return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                    ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
        }

        private static double ms(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }
    }

    /**
     * One measurement window: what was offered and delivered per second, the latency, the CPU seconds the target and
     * the generator used during it, the CPU seconds of every other process on the machine (work that disturbed the
     * measurement), and the machine's TCP retransmissions and input backlog drops meanwhile; of the target's CPU, the
     * kernel's share, and the system calls it made: those that write to a socket, and all (-1 where they could not be
     * counted: {@link Syscalls}).
     */
    record Window(String scenario, double offeredPerSecond, double deliveredPerSecond, double deliveredRatio,
            Latency latency, double seconds, double targetCpuSeconds, double generatorCpuSeconds, boolean pass,
            boolean sustained, double otherCpuSeconds, long tcpRetransmits, long backlogDrops, long lost,
            long duplicated, long outOfOrder, double requestedPerSecond, double targetSystemCpuSeconds,
            long targetWriteCalls, long targetSyscalls) {

        /**
         * Whether the generator could not send at the rate asked (its publisher fell behind by more than a tenth):
         * the window measured the generator, and a best rate it ends on is a lower bound of the target's.
         */
        public boolean generatorBound() {
            return requestedPerSecond > 0 && offeredPerSecond < 0.9 * requestedPerSecond;
        }

        /** Target CPU microseconds per delivered message. */
        public double targetCpuMicrosPerMessage() {
            double n = deliveredPerSecond * seconds;
            return n == 0 ? 0 : Math.round(targetCpuSeconds / n * 1e8) / 100.0;
        }

        /**
         * Messages delivered per write system call of the target: how many a write carried (1 or less: a system call
         * per message per connection); NaN where the calls were not counted.
         */
        public double deliveriesPerWriteCall() {
            double n = deliveredPerSecond * seconds;
            return targetWriteCalls <= 0 ? Double.NaN : Math.round(n / targetWriteCalls * 100) / 100.0;
        }

        /** System calls of the target per delivered message; NaN where they were not counted. */
        public double syscallsPerDelivery() {
            double n = deliveredPerSecond * seconds;
            return targetSyscalls < 0 || n == 0 ? Double.NaN : Math.round(targetSyscalls / n * 1000) / 1000.0;
        }
    }

    /**
     * Handshakes while ramping up (cold: the first connections the target sees; warm: a second set), and resident
     * memory of all the target's processes, after a garbage collection in each, per idle connection of the warm set;
     * for a JVM target also the live heap per idle connection (the class histogram's total after a full collection,
     * {@code jcmd GC.class_histogram}, as {@code jmap -histo:live} reads it), NaN for others.
     */
    record Connections(int clients, double coldHandshakesPerSecond, double warmHandshakesPerSecond, int failures,
            double rampSeconds, double targetCpuSeconds, double generatorCpuSeconds, long rssStartBytes,
            long rssBaselineBytes, long rssIdleBytes, double rssPerConnectionKb, List<Integer> warmRampPerTenthSecond,
            double liveHeapPerConnectionKb) {
    }

    /**
     * Fan-out to one room: the window at the fixed offered rate, every step of the ladder, the best window that
     * passed (p99 under the limit, everything delivered) and the best sustained one (p99 under a second).
     */
    record FanOut(int clients, Window fixed, List<Window> steps, Window best, Window bestSustained) {
    }

    /** Cross-worker latency: receivers on the other worker, and those on the publisher's worker for comparison. */
    record CrossWorker(long publisherPid, int receiversOtherWorker, int receiversSameWorker, Window other,
            Latency sameWorker) {
    }

    /**
     * Connections held (the hold scenario): the ramp to {@code clients} idle connections, memory per connection (the
     * target's resident set and live heap after a full collection, the kernel's slabs and socket buffers, the
     * generator's own), CPU per connection-second while nothing but heartbeats flows, what new clients and a room
     * broadcast see meanwhile, one broadcast to every held connection, and the connections lost.
     *
     * @param rampPerSecond handshakes completed in each second of the ramp
     * @param idleCpuPerSecond the target's CPU seconds per second with no connection, before the ramp
     * @param cpuMicrosPerConnectionSecond the target's CPU in the steady window, less its CPU with no connection
     *        over the same time, over held connections times seconds
     * @param pingsExpected pings the held connections should have received in the steady window (one per connection
     *        per 25 s, the default interval)
     * @param silent held connections without a ping for more than 45 s at the end (a real client would have closed)
     */
    record Held(int clients, int held, long failures, String firstFailure, int sourceAddresses, double rampSeconds,
            double handshakesPerSecond, int peakHandshakesPerSecond, List<Integer> rampPerSecond,
            double rampTargetCpuSeconds, double rampGeneratorCpuSeconds, long rssBaselineBytes, long rssHeldBytes,
            double rssPerConnectionKb, double liveHeapPerConnectionKb, double rssPerConnectionKbAtEnd,
            KernelMemory.Floor kernel, double generatorHeapPerConnectionBytes, double generatorRssPerConnectionBytes,
            double idleCpuPerSecond, double steadySeconds, double steadyTargetCpuSeconds,
            double cpuMicrosPerConnectionSecond,
            double steadyGeneratorCpuSeconds, double steadyOthersCpuSeconds, long pingsInSteady, double pingsExpected,
            Latency newClientHandshake, Window roomBroadcast, List<Reach> broadcastToAll, long lost, int silent,
            double holdSeconds, long maxRssBytes, List<PerConnection> heapByClass) {
    }

    /** What the held connections added to one class of the live heap: instances and bytes per connection. */
    record PerConnection(String className, double instances, double bytes) {
    }

    /** One broadcast to every held connection: how many received it, and when the first and the last did. */
    record Reach(long delivered, double firstMillis, double lastMillis) {
    }

    public static final class TargetResult {
        public String name;
        public String label;
        public int workers;
        public List<String> command;
        public String loadBefore;
        public String loadAfter;
        public double startupSeconds;
        public Connections connections;
        public Map<String, Long> connectionsPerPid = new LinkedHashMap<>();
        public Map<String, FanOut> fanout = new LinkedHashMap<>();
        public Window ack;
        public CrossWorker crossWorker;
        /** The JFR profile of the 10,000-client fan-out ({@link Bench#PROFILED} targets only). */
        public Profile profile;
        /** The hold scenario, by the number of connections held. */
        public Map<String, Held> held = new LinkedHashMap<>();
        public long unexpectedCloses;
        /** The share of the machine's CPU that other processes used during this target's windows. */
        public double othersCpuShare;
        public String error;
        /** Why the first start of the target gave no result, when it was started again (null: it was not). */
        public String firstAttemptError;
    }

    /** The hottest methods of the extension during a fan-out, from a JFR recording of the single process. */
    /**
     * A JFR recording during a fan-out: execution samples, and the bytes the target's threads allocated during it
     * ({@code jdk.ThreadAllocationStatistics}) per message delivered in the same window.
     */
    record Profile(String target, String recording, long samples, List<Hot> topFrames, List<Hot> topExtensionFrames,
            List<Hot> extensionInclusive, List<Hot> threads, long allocatedBytes, double deliveries,
            double allocatedBytesPerDelivery) {
    }

    record Hot(String method, long samples, double percent) {
    }
}
