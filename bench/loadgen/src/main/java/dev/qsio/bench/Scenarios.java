package dev.qsio.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

import dev.qsio.bench.Results.Connections;
import dev.qsio.bench.Results.CrossWorker;
import dev.qsio.bench.Results.FanOut;
import dev.qsio.bench.Results.Latency;
import dev.qsio.bench.Results.Window;

/** The measurements, each against the running target with the shared generator. */
final class Scenarios {

    private final Generator gen;
    private final Target target;
    private final Settings s;

    /** Something run around a measurement, outside its figures. */
    interface Hook {
        void run() throws Exception;
    }

    Scenarios(Generator gen, Target target, Settings settings) {
        this.gen = gen;
        this.target = target;
        this.s = settings;
    }

    /**
     * Handshakes per second while ramping to {@code clients}, twice: cold (the first connections the server sees)
     * and warm, after the first set was closed. Resident memory per idle connection is measured on the warm set,
     * each time after a garbage collection in every process of the target, so that it counts what the connections
     * hold rather than garbage not yet collected or memory a runtime kept after its first use. The warm connections
     * stay open. {@code warmRamps} ramps are made before the measured warm one (opened, then closed, not measured)
     * after the cold one: 0 by default; more show the steady state of a runtime that compiles the handshake path late
     * (a JVM's JIT was still compiling through the second ramp). {@code beforeWarm} and {@code afterWarm} run just
     * before and just after the measured warm ramp, outside its figures (a profile of that ramp alone).
     */
    Connections connections(List<Conn> into, int warmRamps, Hook beforeWarm, Hook afterWarm) throws Exception {
        long rssStart = target.rssBytes();
        SystemCounters sys0 = SystemCounters.now();
        int pre = preRamp();
        if (pre > 0) {
            // what a warm-up through the target's own port would do before it reports ready (issue 68): handshakes
            // outside the measurement, then the same settle as between the ramps
            Generator.Ramp warming = gen.ramp(pre, s.rampInFlight());
            log("  unmeasured pre-ramp of %d: %.0f handshakes/s (BENCH_PRE_RAMP)", pre, warming.perSecond());
            Generator.closeAll(warming.conns());
            // a measurement's pacing, not a wait for a condition: the closed sockets go before the first ramp opens
            // its own, after the same fixed time as between the measured ramps
            Thread.sleep(preRampSettleMillis());
        }
        Generator.Ramp cold = gen.ramp(s.clients(), s.rampInFlight());
        Generator.closeAll(cold.conns());
        for (int i = 0; i < warmRamps; i++) {
            // the same fixed settle time as between the measured ramps (a measurement's pacing, not a wait for a
            // condition): the closed connections' sockets go before the next ramp opens as many
            Thread.sleep(s.settleMillis());
            Generator.Ramp extra = gen.ramp(s.clients(), s.rampInFlight());
            log("  unmeasured ramp %d: %.0f handshakes/s", i + 1, extra.perSecond());
            Generator.closeAll(extra.conns());
        }
        // a measurement, not a wait for a condition: the closed sockets and the collection settle for a fixed time
        // before the next reading, the same for every target. A QUIC connection's state outlives its close by its
        // draining period (three probe timeouts): after the smoke's 100 ms, the cold ramp's WebTransport sessions were
        // still held at the baseline once, and the live heap per session came out below zero (CI, 60 sessions)
        Thread.sleep(target.webTransport ? Math.max(s.settleMillis(), 2_000) : s.settleMillis());
        target.collectGarbage();
        Thread.sleep(s.settleMillis());
        long baseline = target.rssBytes();
        long heapBaseline = target.liveHeapBytes();
        snapshot("baseline");
        beforeWarm.run();
        double cpu0 = target.cpuSeconds();
        double gen0 = Generator.cpuSeconds();
        Generator.Ramp warm = gen.ramp(s.clients(), s.rampInFlight());
        double cpu = target.cpuSeconds() - cpu0;
        double genCpu = Generator.cpuSeconds() - gen0;
        afterWarm.run();
        into.addAll(warm.conns());
        // fixed settle time before reading the resident memory, as above
        Thread.sleep(s.settleMillis());
        target.collectGarbage();
        Thread.sleep(s.settleMillis());
        long idle = target.rssBytes();
        long heapIdle = target.liveHeapBytes();
        snapshot("idle");
        int n = warm.conns().size();
        long udpDrops = SystemCounters.now().since(sys0).udpReceiveDrops();
        if (udpDrops > 0) {
            // QUIC's handshakes: a datagram dropped is sent again after a timeout, which the handshakes a second show
            log("  udp receive drops during the ramps: %d (UdpRcvbufErrors, the whole machine)", udpDrops);
        }
        return new Connections(n, round(cold.perSecond()), round(warm.perSecond()), cold.failures() + warm.failures(),
                round(warm.seconds()), round(cpu), round(genCpu), rssStart, baseline, idle,
                Soundness.residentPerConnectionKb(idle - baseline, n), warm.perTenthSecond(),
                heapBaseline < 0 || heapIdle < 0 ? Double.NaN : round((heapIdle - heapBaseline) / 1024.0 / Math.max(1, n)));
    }

    /** {@code BENCH_PRE_RAMP}: connections opened and closed before the first measured ramp (0, none, by default). */
    static int preRamp() {
        String v = System.getenv("BENCH_PRE_RAMP");
        return v == null || v.isBlank() ? 0 : Integer.parseInt(v.strip());
    }

    /** {@code BENCH_PRE_RAMP_SETTLE_MS}: the pause after the pre-ramp (the settle between ramps by default). */
    long preRampSettleMillis() {
        String v = System.getenv("BENCH_PRE_RAMP_SETTLE_MS");
        return v == null || v.isBlank() ? s.settleMillis() : Long.parseLong(v.strip());
    }

    /**
     * Runs {@code BENCH_MEMORY_SNAPSHOT} (a command, when set) with a label, the target's name and the pids of its
     * processes, at
     * the two readings of resident memory per idle connection (after their collections), so that a study of that
     * figure can take what it needs at those moments (a class histogram, the native memory summary, smaps); the run
     * waits for it, outside every measured window.
     */
    private void snapshot(String label) throws Exception {
        String command = System.getenv("BENCH_MEMORY_SNAPSHOT");
        if (command == null || command.isBlank()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of(command.trim().split("\\s+")));
        argv.add(label);
        argv.add(target.name);
        target.processes().forEach(h -> argv.add(Long.toString(h.pid())));
        int rc = new ProcessBuilder(argv).inheritIO().start().waitFor();
        if (rc != 0) {
            log("  memory snapshot %s: %s exited with %d", label, command, rc);
        }
    }

    /** Asks every connection which process serves it; returns the count per pid. */
    Map<String, Long> whoami(List<Conn> conns) throws Exception {
        List<String> answers = gen.requestAll(conns, "whoami", 1000);
        Map<String, Long> perPid = new TreeMap<>();
        for (int i = 0; i < conns.size(); i++) {
            long pid = parsePid(answers.get(i));
            conns.get(i).pid = pid;
            perPid.merge(Long.toString(pid), 1L, Long::sum);
        }
        return perPid;
    }

    static long parsePid(String ackArray) {
        return Long.parseLong(ackArray.replaceAll("[^0-9]", ""));
    }

    /**
     * Fan-out to every connection in {@code receivers} (all in room "r"): an unmeasured warm-up, the window at the
     * fixed rate, then a ladder that doubles the rate while windows are sustained (and the generator keeps up), two
     * more windows that bisect the rates between the best that passed and the next that failed, and two between the
     * best sustained one and the next that was not.
     */
    FanOut fanout(String scenario, Publisher pub, List<Conn> receivers) throws Exception {
        int n = receivers.size();
        for (Conn c : receivers) {
            c.sink = gen.fanout;
        }
        window(scenario + "-warmup", pub, gen.fanout, n, s.fixedRate(), s.warmupSeconds());
        List<Window> steps = new ArrayList<>();
        Window fixed = ladderWindow(scenario, pub, n, s.fixedRate());
        steps.add(fixed);
        Window w = fixed;
        double rate = s.fixedRate();
        // up while sustained, whatever the rate; a window the generator could not offer ends the climb (the report
        // gives that figure as a lower bound)
        while (w.sustained() && !w.generatorBound() && steps.size() < s.maxSteps()) {
            rate *= 2;
            w = ladderWindow(scenario, pub, n, rate);
            steps.add(w);
        }
        // two bisections (in ratio) between the best window that passed and the next one that failed, then two
        // between the best sustained window and the next one that was not: each best is then within a fifth of a
        // doubling of where the target stops, not only a power of two of the fixed rate
        if (best(steps, true) != null) {
            bisect(scenario, pub, n, steps, true);
        }
        bisect(scenario, pub, n, steps, false);
        return new FanOut(n, fixed, steps, best(steps, true), best(steps, false));
    }

    private void bisect(String scenario, Publisher pub, int n, List<Window> steps, boolean strict) throws Exception {
        for (int i = 0; i < 2; i++) {
            Window good = best(steps, strict);
            if (good == null) {
                return;
            }
            Window bad = steps.stream()
                    .filter(x -> !(strict ? x.pass() : x.sustained()) && x.offeredPerSecond() > good.offeredPerSecond())
                    .min(Comparator.comparingDouble(Window::offeredPerSecond)).orElse(null);
            if (bad == null) {
                return;
            }
            steps.add(ladderWindow(scenario, pub, n, Math.sqrt(good.offeredPerSecond() * bad.offeredPerSecond())));
        }
    }

    /**
     * A window of the ladder, taken again once when a heartbeat round fell in it: the connections of a ramp open
     * within a second or two, so the server's pings to all of them (every ping interval, 25 s) arrive together, and a
     * window that met them measured that burst (a third more system calls per delivery at 50k/s) rather than the
     * broadcast. The rounds are a ping interval apart, so the window taken again misses them.
     */
    private Window ladderWindow(String scenario, Publisher pub, int n, double rate) throws Exception {
        long pings0 = Conn.PINGS.sum();
        Window w = window(scenario, pub, gen.fanout, n, rate, s.windowSeconds());
        long pings = Conn.PINGS.sum() - pings0;
        if (pings > n / 10) {
            log("  %-14s %d heartbeats fell in the window: taken again", scenario, pings);
            w = window(scenario, pub, gen.fanout, n, rate, s.windowSeconds());
        }
        return w;
    }

    private static Window best(List<Window> steps, boolean pass) {
        return steps.stream().filter(pass ? Window::pass : Window::sustained)
                .max(Comparator.comparingDouble(Window::deliveredPerSecond)).orElse(null);
    }

    /** Publishes at the rate found to pass (for a profile of the hot path under load); the window it measured. */
    Window sustain(Publisher pub, int receivers, double deliveriesPerSecond, double seconds) throws Exception {
        return window("profile", pub, gen.fanout, receivers, deliveriesPerSecond, seconds);
    }

    /**
     * One window: publishes for {@code seconds} so that {@code receivers} get {@code deliveriesPerSecond} in all,
     * then waits for the stragglers (until all arrived or nothing arrived for a second).
     */
    Window window(String scenario, Publisher pub, Sink sink, int receivers, double deliveriesPerSecond,
            double seconds) throws Exception {
        long closes0 = gen.unexpectedCloses.sum();
        SystemCounters sys0 = SystemCounters.now();
        sink.reset();
        double cpu0 = target.cpuSeconds();
        double sysCpu0 = target.systemCpuSeconds();
        Syscalls calls = Syscalls.start(target.processes());
        double gen0 = Generator.cpuSeconds();
        long t0 = System.nanoTime();
        pub.start(deliveriesPerSecond / receivers);
        // the measurement window: a fixed duration by design
        Thread.sleep((long) (seconds * 1000));
        long sent = pub.stop();
        long expected = sent * receivers;
        long end = drain(sink, expected);
        double wall = Math.max(seconds, (end - t0) / 1e9);
        Histogram h = sink.take();
        long delivered = sink.count();
        long duplicated = sink.duplicated();
        long outOfOrder = sink.outOfOrder();
        long lost = Math.max(0, expected - (delivered - duplicated));
        double cpu = target.cpuSeconds() - cpu0;
        double sysCpu = target.systemCpuSeconds() - sysCpu0;
        Syscalls.Counts syscalls = calls.stop();
        double genCpu = Generator.cpuSeconds() - gen0;
        double ratio = expected == 0 ? 0 : (double) delivered / expected;
        SystemCounters sys = SystemCounters.now().since(sys0);
        double other = round(Math.max(0, sys.busyCpuSeconds() - cpu - genCpu));
        Latency latency = Latency.of(h);
        // every event to every receiver, once, in order: a duplicate must not hide a loss
        long closed = gen.unexpectedCloses.sum() - closes0;
        boolean complete = lost == 0 && duplicated == 0 && outOfOrder == 0 && closed == 0;
        boolean pass = complete && latency.p99() < s.p99LimitMillis();
        boolean sustained = complete && latency.p99() < s.sustainedP99LimitMillis();
        Window w = new Window(scenario, round(sent / seconds * receivers), round(delivered / wall), round4(ratio),
                latency, round(wall), round(cpu), round(genCpu), pass, sustained, other,
                sys.tcpRetransmits(), sys.backlogDrops(), lost, duplicated, outOfOrder, round(deliveriesPerSecond),
                round(sysCpu), syscalls.writes(), syscalls.all());
        log("  %-14s offered %8.0f/s delivered %8.0f/s (%.3f) p50 %7.2f p99 %8.2f ms  cpu target %5.2f (system %5.2f)"
                + " gen %5.2f others %5.2f s  %.2f deliveries per write call, %.2f system calls per delivery  retransmits"
                + " %d%s%s%s%s", scenario, w.offeredPerSecond(), w.deliveredPerSecond(), ratio, latency.p50(), latency.p99(),
                cpu, sysCpu, genCpu, other, w.deliveriesPerWriteCall(), w.syscallsPerDelivery(), sys.tcpRetransmits(),
                sys.udpReceiveDrops() == 0 ? "" : "  udp receive drops " + sys.udpReceiveDrops(),
                lost + duplicated + outOfOrder == 0 ? "" : "  lost " + lost + " duplicated " + duplicated
                        + " out of order " + outOfOrder,
                // receivers whose connection ended in the window (the server closed them: a slow consumer, say)
                closed == 0 ? "" : "  connections closed " + closed,
                pass ? "" : sustained ? "  (sustained)" : "  FAIL");
        // an overloaded target gets time to recover (collect its garbage) before the next window
        Thread.sleep(sustained ? s.pauseMillis() : s.recoverMillis());
        return w;
    }

    /** Waits until {@code expected} deliveries arrived or none arrived for a second; the time of the last one. */
    private long drain(Sink sink, long expected) throws InterruptedException {
        return drain(sink::count, expected, 1_000_000_000L, 15_000_000_000L);
    }

    /**
     * Waits until {@code count} reaches {@code expected}, or stops changing for {@code quietNanos}, or
     * {@code maxNanos} passed; the time it last changed.
     */
    static long drain(java.util.function.LongSupplier count, long expected, long quietNanos, long maxNanos)
            throws InterruptedException {
        long last = count.getAsLong();
        long lastChange = System.nanoTime();
        long deadline = lastChange + maxNanos;
        while (System.nanoTime() < deadline) {
            long now = count.getAsLong();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
            if (now >= expected || System.nanoTime() - lastChange > quietNanos) {
                break;
            }
            // polls the delivery count until it is complete or stops changing (a bounded drain)
            Thread.sleep(5);
        }
        return lastChange;
    }

    /** Request/ack: each client keeps one {@code echo} in flight; acks per second and their round-trip time. */
    Window ack(List<Conn> clients) throws Exception {
        String payload = Publisher.payload(0, 0);
        for (Conn c : clients) {
            c.startEcho(payload);
        }
        // warm-up, then the measurement window: fixed durations by design
        Thread.sleep((long) (s.warmupSeconds() * 1000));
        SystemCounters sys0 = SystemCounters.now();
        gen.acks.reset();
        double cpu0 = target.cpuSeconds();
        double gen0 = Generator.cpuSeconds();
        long t0 = System.nanoTime();
        Thread.sleep((long) (s.windowSeconds() * 1000));
        Histogram h = gen.acks.take();
        long count = gen.acks.count();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = target.cpuSeconds() - cpu0;
        double genCpu = Generator.cpuSeconds() - gen0;
        for (Conn c : clients) {
            c.stopEcho();
        }
        // a fixed pause between scenarios, so that one does not overlap the next
        Thread.sleep(s.pauseMillis());
        Latency latency = Latency.of(h);
        SystemCounters sys = SystemCounters.now().since(sys0);
        double other = round(Math.max(0, sys.busyCpuSeconds() - cpu - genCpu));
        Window w = new Window("ack", 0, round(count / wall), 1, latency, round(wall), round(cpu), round(genCpu),
                count > 0, count > 0, other, sys.tcpRetransmits(), sys.backlogDrops(), 0, 0, 0, 0, 0, -1, -1);
        log("  %-14s %9.0f acks/s p50 %7.2f p99 %8.2f ms  cpu target %5.2f gen %5.2f others %5.2f s", "ack",
                w.deliveredPerSecond(), latency.p50(), latency.p99(), cpu, genCpu, other);
        return w;
    }

    /**
     * Cross-worker latency: the publisher is on one worker; the receivers on the other workers are timed apart from
     * those on the publisher's own worker.
     */
    CrossWorker crossWorker(Publisher pub, long publisherPid, List<Conn> receivers) throws Exception {
        int other = 0;
        for (Conn c : receivers) {
            boolean remote = c.pid != publisherPid;
            c.sink = remote ? gen.crossWorker : gen.sameWorker;
            other += remote ? 1 : 0;
        }
        if (other == 0) {
            throw new IllegalStateException("no receiver on another worker than the publisher's");
        }
        gen.sameWorker.reset();
        double perSecond = s.crossWorkerRate() * other;
        Window w = window("cross-worker", pub, gen.crossWorker, other, perSecond, s.windowSeconds());
        Latency same = Latency.of(gen.sameWorker.take());
        for (Conn c : receivers) {
            c.sink = gen.fanout;
        }
        return new CrossWorker(publisherPid, other, receivers.size() - other, w, same);
    }

    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
    }

    static double round4(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 10000) / 10000.0;
    }

    static void log(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
