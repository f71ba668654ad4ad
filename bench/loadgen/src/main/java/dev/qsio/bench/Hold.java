package dev.qsio.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.qsio.bench.Results.Held;
import dev.qsio.bench.Results.Latency;
import dev.qsio.bench.Results.Reach;
import dev.qsio.bench.Results.Window;

/**
 * The hold scenario: N idle Socket.IO connections held on the target by {@link HeldClients}, and what they cost.
 * <ol>
 * <li>Baseline after a full collection in every process of the target: resident set, live heap, the kernel's
 * slabs and socket buffers, and the generator's own heap and resident set.</li>
 * <li>The ramp: N handshakes, a bounded number in flight; handshakes per second through it.</li>
 * <li>The same readings with the N connections held: per connection, the target's, the kernel's (both sockets of
 * each loopback connection) and the generator's.</li>
 * <li>A steady window where nothing but heartbeats flows: the target's CPU per connection-second, the pings the
 * held connections received against those expected (one per connection per 25 s).</li>
 * <li>Probes while the N are held: new clients' handshakes at a modest rate (their latency, connect to the
 * namespace CONNECT's answer), a room broadcast to a small room at the fixed rate, and broadcasts to every
 * connection (the time of the first and of the last delivery).</li>
 * <li>The rest of the hold, then the connections the target closed (lost) and those without a ping for longer than
 * a real client waits (45 s: ping interval plus ping timeout).</li>
 * </ol>
 */
final class Hold {

    private static final int PING_INTERVAL_SECONDS = 25;
    private static final int CLIENT_GIVES_UP_SECONDS = 45;

    private final Generator gen;
    private final Target target;
    private final Settings s;
    /** Where the native memory summaries go (the run's logs). */
    private final java.nio.file.Path logs;

    Hold(Generator gen, Target target, Settings settings, java.nio.file.Path logs) {
        this.gen = gen;
        this.target = target;
        this.s = settings;
        this.logs = logs;
    }

    Held run(int n, double holdSeconds) throws Exception {
        try (HeldClients held = new HeldClients(gen.vertx.nettyEventLoopGroup(), target.port, n)) {
            return run(held, n, holdSeconds);
        }
    }

    private Held run(HeldClients held, int n, double holdSeconds) throws Exception {
        settleAndCollect();
        long rss0 = target.rssBytes();
        java.util.Map<String, long[]> histogram0 = target.classHistogram();
        long heap0 = total(histogram0);
        String nmt0 = target.jvm ? target.jcmdAll("VM.native_memory summary") : null;
        KernelMemory k0 = KernelMemory.now();
        long genHeap0 = generatorHeapAfterGc();
        long genRss0 = Target.rssBytes(ProcessHandle.current().pid());
        // what the target spends with no connection at all (timers, its runtime's housekeeping), taken out of the
        // steady window's CPU so that what remains is the connections'
        double idle0 = target.cpuSeconds();
        long idleStart = System.nanoTime();
        Thread.sleep((long) (s.idleSeconds() * 1000));
        double idleCpuPerSecond = (target.cpuSeconds() - idle0) / ((System.nanoTime() - idleStart) / 1e9);

        double cpu0 = target.cpuSeconds();
        double gen0 = Generator.cpuSeconds();
        HeldClients.Batch ramp = held.open(n, s.heldInFlight(), n, true, 0);
        double rampCpu = target.cpuSeconds() - cpu0;
        double rampGen = Generator.cpuSeconds() - gen0;
        int h = held.held();
        double rampSeconds = (ramp.lastDone.get() - ramp.start) / 1e9;
        List<Integer> perSecond = perSecond(ramp, rampSeconds);
        long maxRss = target.rssBytes();
        Scenarios.log("  held           %d of %d connections in %.1f s (%.0f/s, peak %d/s), %d failed%s, over %d source "
                + "addresses", h, n, rampSeconds, h / Math.max(1e-9, rampSeconds),
                perSecond.stream().mapToInt(Integer::intValue).max().orElse(0), ramp.failed.sum(),
                ramp.firstFailure == null ? "" : " (first: " + ramp.firstFailure + ")", held.addressesFor(n));

        settleAndCollect();
        long rss1 = target.rssBytes();
        java.util.Map<String, long[]> histogram1 = target.classHistogram();
        long heap1 = total(histogram1);
        if (nmt0 != null && nmt0.contains("Total")) {
            // native memory tracking, when the JVM runs with it (BENCH_JVM_OPTS=-XX:NativeMemoryTracking=summary)
            java.nio.file.Files.writeString(logs.resolve(target.name + "-held-" + n + "-nmt.txt"),
                    "== before the ramp\n" + nmt0 + "\n== with the connections held\n"
                            + target.jcmdAll("VM.native_memory summary"));
        }
        KernelMemory.Floor kernel = KernelMemory.now().since(k0, h);
        long genHeap1 = generatorHeapAfterGc();
        long genRss1 = Target.rssBytes(ProcessHandle.current().pid());
        maxRss = Math.max(maxRss, rss1);
        double rssKb = Soundness.residentPerConnectionKb(rss1 - rss0, h);
        double heapKb = heap0 < 0 || heap1 < 0 ? Double.NaN : Scenarios.round((heap1 - heap0) / 1024.0 / Math.max(1, h));
        Scenarios.log("  held memory    target %.2f KB resident, %s KB live heap; kernel %.0f bytes in socket caches "
                + "(%.0f all slabs); generator %.0f bytes heap, %.0f resident, per connection", rssKb, Report.n(heapKb),
                kernel.cachesBytes(), kernel.slabBytes(), generatorPerConnection(genHeap1 - genHeap0, h),
                generatorPerConnection(genRss1 - genRss0, h));

        // the steady window: heartbeats only, sampled every few seconds for the peak resident set
        long holdStart = System.nanoTime();
        double steadySeconds = Math.max(holdSeconds / 2, holdSeconds - s.probeSeconds());
        SystemCounters sys0 = SystemCounters.now();
        double tcpu0 = target.cpuSeconds();
        double gcpu0 = Generator.cpuSeconds();
        long pings0 = held.pings.sum();
        // a JFR recording of the steady window of a single-process JVM target, to see what heartbeats cost
        java.nio.file.Path jfr = target.jvm && target.workers <= 1 && System.getenv("BENCH_HOLD_JFR") != null
                ? logs.resolve(target.name + "-held-" + n + "-steady.jfr")
                : null;
        if (jfr != null) {
            Profiler.start(target.pid(), jfr);
        }
        long steadyEnd = holdStart + (long) (steadySeconds * 1e9);
        while (System.nanoTime() < steadyEnd) {
            // the steady window is a fixed duration by design; the resident set is sampled meanwhile
            TimeUnit.NANOSECONDS.sleep(Math.min(5_000_000_000L, Math.max(0, steadyEnd - System.nanoTime())));
            maxRss = Math.max(maxRss, target.rssBytes());
        }
        double steadyWall = (System.nanoTime() - holdStart) / 1e9;
        double steadyCpu = target.cpuSeconds() - tcpu0;
        double steadyGen = Generator.cpuSeconds() - gcpu0;
        SystemCounters sys = SystemCounters.now().since(sys0);
        long pings = held.pings.sum() - pings0;
        if (jfr != null) {
            Profiler.stop(target.pid());
            Results.Profile p = Profiler.analyse(target.label + ", heartbeats of " + n, jfr, pings);
            for (Results.Hot hot : p.extensionInclusive()) {
                Scenarios.log("  steady profile %5.1f%% %s (inclusive)", hot.percent(), hot.method());
            }
            for (Results.Hot hot : p.topFrames()) {
                Scenarios.log("  steady profile %5.1f%% %s", hot.percent(), hot.method());
            }
        }
        double others = Scenarios.round(Math.max(0, sys.busyCpuSeconds() - steadyCpu - steadyGen));
        double expectedPings = (double) h * steadyWall / PING_INTERVAL_SECONDS;
        double perConnSecond = Scenarios.round4(Math.max(0, steadyCpu - idleCpuPerSecond * steadyWall) * 1e6
                / Math.max(1, (double) h * steadyWall));
        Scenarios.log("  steady         %.0f s: target %.2f CPU s (%.2f with no connection: %.4f µs per connection-second), "
                + "generator %.2f, others %.2f; %d pings (%.0f expected)", steadyWall, steadyCpu,
                idleCpuPerSecond * steadyWall, perConnSecond, steadyGen, others, pings, expectedPings);

        HeldClients.Batch probes = held.open(s.probeHandshakes(), Math.max(1, s.heldInFlight() / 10), n, false,
                s.probeRate());
        Latency newClients = Latency.of(HeldClients.latencies(probes));
        Scenarios.log("  new clients    %d handshakes at %.0f/s while held: p50 %.2f p99 %.2f max %.2f ms, %d failed",
                newClients.count(), s.probeRate(), newClients.p50(), newClients.p99(), newClients.max(),
                probes.failed.sum());

        List<Conn> room = new ArrayList<>();
        List<Reach> reach = new ArrayList<>();
        Window roomWindow;
        try {
            room.addAll(gen.ramp(s.heldRoomClients(), s.rampInFlight()).conns());
            gen.requestAll(room, "join", 1000);
            Conn pubConn = gen.connect().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            room.add(pubConn);
            List<Conn> receivers = room.subList(0, room.size() - 1);
            roomWindow = new Scenarios(gen, target, s).window("held-room", new Publisher(pubConn), gen.fanout,
                    receivers.size(), s.fixedRate(), s.windowSeconds());
            for (int i = 0; i < s.broadcastsToAll(); i++) {
                reach.add(broadcastToAll(held, pubConn, h));
                maxRss = Math.max(maxRss, target.rssBytes());
            }
        } finally {
            Generator.closeAll(room);
        }

        long holdEnd = holdStart + (long) (holdSeconds * 1e9);
        while (System.nanoTime() < holdEnd) {
            // the rest of the hold: a fixed duration by design
            TimeUnit.NANOSECONDS.sleep(Math.min(5_000_000_000L, Math.max(0, holdEnd - System.nanoTime())));
            maxRss = Math.max(maxRss, target.rssBytes());
        }
        long rssEnd = target.rssBytes();
        int silent = held.silentFor(CLIENT_GIVES_UP_SECONDS);
        long lost = held.lost.sum();
        double holdWall = (System.nanoTime() - holdStart) / 1e9;
        Scenarios.log("  hold           %.0f s: %d lost, %d without a ping for %d s; resident at the end %.2f KB per "
                + "connection", holdWall, lost, silent, CLIENT_GIVES_UP_SECONDS,
                Soundness.residentPerConnectionKb(rssEnd - rss0, h));
        return new Held(n, h, ramp.failed.sum(), ramp.firstFailure, held.addressesFor(n), Scenarios.round(rampSeconds),
                Scenarios.round(h / Math.max(1e-9, rampSeconds)), perSecond.stream().mapToInt(Integer::intValue).max()
                        .orElse(0),
                perSecond, Scenarios.round(rampCpu), Scenarios.round(rampGen), rss0, rss1, rssKb, heapKb,
                Soundness.residentPerConnectionKb(rssEnd - rss0, h), kernel,
                Scenarios.round(generatorPerConnection(genHeap1 - genHeap0, h)),
                Scenarios.round(generatorPerConnection(genRss1 - genRss0, h)), Scenarios.round4(idleCpuPerSecond),
                Scenarios.round(steadyWall),
                Scenarios.round(steadyCpu), perConnSecond, Scenarios.round(steadyGen), others, pings,
                Scenarios.round(expectedPings), newClients, roomWindow, reach, lost, silent, Scenarios.round(holdWall),
                maxRss, byClass(histogram0, histogram1, h));
    }

    private static long total(java.util.Map<String, long[]> histogram) {
        return histogram == null ? -1 : histogram.values().stream().mapToLong(v -> v[1]).sum();
    }

    /** The classes whose live bytes grew most with the connections held, per connection (the top 30). */
    private static List<Results.PerConnection> byClass(java.util.Map<String, long[]> before,
            java.util.Map<String, long[]> after, int connections) {
        if (before == null || after == null || connections == 0) {
            return List.of();
        }
        return after.entrySet().stream().map(e -> {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            return new Results.PerConnection(e.getKey(), Scenarios.round((e.getValue()[0] - b[0]) / (double) connections),
                    Scenarios.round((e.getValue()[1] - b[1]) / (double) connections));
        }).sorted(java.util.Comparator.comparingDouble(Results.PerConnection::bytes).reversed()).limit(30).toList();
    }

    /**
     * One {@code all} event: every held connection (and the room's) receives it as {@code msg}. Waits until every
     * held connection has it, or nothing arrived for 5 s (at most 2 minutes).
     */
    private Reach broadcastToAll(HeldClients held, Conn pub, int expected) throws Exception {
        held.delivery.reset();
        long sent = System.nanoTime();
        pub.runOnLoop(() -> pub.sendNow("42[\"all\",\"" + Publisher.payload(System.nanoTime(), 0) + "\"]"));
        Scenarios.drain(held.delivery.count::sum, expected, 5_000_000_000L, TimeUnit.MINUTES.toNanos(2));
        long base = held.delivery.sentAt != 0 ? held.delivery.sentAt : sent;
        Reach r = new Reach(held.delivery.count.sum(), Scenarios.round((held.delivery.first.get() - base) / 1e6),
                Scenarios.round((held.delivery.last.get() - base) / 1e6));
        Scenarios.log("  to all         %d of %d received one broadcast: first after %.2f ms, last after %.2f ms",
                r.delivered(), expected, r.firstMillis(), r.lastMillis());
        // a fixed pause, so that one broadcast's writes do not overlap the next
        Thread.sleep(s.pauseMillis() * 3);
        return r;
    }

    private void settleAndCollect() throws Exception {
        // a measurement, not a wait for a condition: the connections and the collection settle for a fixed time
        Thread.sleep(s.settleMillis());
        target.collectGarbage();
        Thread.sleep(s.settleMillis());
    }

    /**
     * What the generator's own memory grew by per connection, or NaN when it shrank: the generator is not the target,
     * and its memory moves with its own work (a collection, a heap resized) by more than a few connections hold.
     */
    private static double generatorPerConnection(long deltaBytes, int connections) {
        return deltaBytes < 0 ? Double.NaN : deltaBytes / (double) Math.max(1, connections);
    }

    private static long generatorHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<Integer> perSecond(HeldClients.Batch b, double seconds) {
        List<Integer> out = new ArrayList<>();
        int tenths = Math.min(b.perTenth.length(), (int) Math.ceil(seconds * 10) + 1);
        for (int i = 0; i < tenths; i += 10) {
            int sum = 0;
            for (int j = i; j < Math.min(tenths, i + 10); j++) {
                sum += b.perTenth.get(j);
            }
            out.add(sum);
        }
        return out;
    }
}
