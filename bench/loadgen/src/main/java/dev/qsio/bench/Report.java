package dev.qsio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.qsio.bench.Results.FanOut;
import dev.qsio.bench.Results.Hot;
import dev.qsio.bench.Results.TargetResult;
import dev.qsio.bench.Results.Window;

/** Writes a run's results: results.json, windows.csv, connections.csv, results.md and the PNG charts. */
final class Report {

    static final List<String> FILES = List.of("results.json", "windows.csv", "connections.csv", "results.md",
            "fanout-max.png", "fanout-latency.png", "ack.png", "connections.png", "memory.png", "cpu.png");

    private final Results r;
    private final Path dir;
    private final int cores;

    Report(Results results, Path dir) {
        this.r = results;
        this.dir = dir;
        this.cores = (int) results.machine.getOrDefault("nproc", 1);
    }

    /** The files a report has: the hold scenario's charts when the run held connections. */
    List<String> files() {
        if (r.targets.stream().noneMatch(t -> !t.held.isEmpty())) {
            return FILES;
        }
        List<String> all = new ArrayList<>(FILES);
        all.addAll(List.of("held-memory.png", "held-cpu.png", "held.csv"));
        return all;
    }

    void write() throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), r);
        Files.writeString(dir.resolve("windows.csv"), windowsCsv());
        Files.writeString(dir.resolve("connections.csv"), connectionsCsv());
        Files.writeString(dir.resolve("results.md"), markdown());
        charts();
        if (files().contains("held.csv")) {
            Files.writeString(dir.resolve("held.csv"), heldCsv());
            heldCharts();
        }
    }

    private List<String> heldSizes() {
        return r.targets.stream().flatMap(t -> t.held.keySet().stream()).distinct()
                .sorted(java.util.Comparator.comparingInt(Integer::parseInt)).toList();
    }

    private String heldCsv() {
        StringBuilder b = new StringBuilder("target,clients,held,failures,source_addresses,ramp_s,handshakes_per_s,"
                + "peak_handshakes_per_s,rss_per_connection_kb,live_heap_per_connection_kb,rss_per_connection_kb_at_end,"
                + "max_rss_mb,kernel_socket_caches_bytes_per_connection,kernel_slab_bytes_per_connection,"
                + "kernel_tcp_buffer_bytes_per_connection,generator_heap_bytes_per_connection,"
                + "generator_rss_bytes_per_connection,idle_cpu_per_s,steady_s,steady_target_cpu_s,cpu_us_per_connection_second,"
                + "steady_generator_cpu_s,steady_others_cpu_s,pings,pings_expected,new_client_p50_ms,new_client_p99_ms,"
                + "room_p50_ms,room_p99_ms,to_all_first_ms,to_all_last_ms,lost,silent,hold_s\n");
        for (TargetResult t : r.targets) {
            t.held.forEach((size, h) -> b.append(String.join(",", t.name, size, String.valueOf(h.held()),
                    String.valueOf(h.failures()), String.valueOf(h.sourceAddresses()), c(h.rampSeconds()),
                    c(h.handshakesPerSecond()), String.valueOf(h.peakHandshakesPerSecond()), c(h.rssPerConnectionKb()),
                    c(h.liveHeapPerConnectionKb()), c(h.rssPerConnectionKbAtEnd()), mbc(h.maxRssBytes()),
                    c(h.kernel().cachesBytes()), c(h.kernel().slabBytes()), c(h.kernel().tcpBufferBytes()),
                    c(h.generatorHeapPerConnectionBytes()), c(h.generatorRssPerConnectionBytes()),
                    c(h.idleCpuPerSecond()), c(h.steadySeconds()),
                    c(h.steadyTargetCpuSeconds()), c(h.cpuMicrosPerConnectionSecond()), c(h.steadyGeneratorCpuSeconds()),
                    c(h.steadyOthersCpuSeconds()), String.valueOf(h.pingsInSteady()), c(h.pingsExpected()),
                    c(h.newClientHandshake().p50()), c(h.newClientHandshake().p99()),
                    h.roomBroadcast() == null ? "" : c(h.roomBroadcast().latency().p50()),
                    h.roomBroadcast() == null ? "" : c(h.roomBroadcast().latency().p99()),
                    c(h.broadcastToAll().stream().mapToDouble(Results.Reach::firstMillis).max().orElse(Double.NaN)),
                    c(h.broadcastToAll().stream().mapToDouble(Results.Reach::lastMillis).max().orElse(Double.NaN)),
                    String.valueOf(h.lost()), String.valueOf(h.silent()), c(h.holdSeconds()))).append('\n'));
        }
        return b.toString();
    }

    private void heldMarkdown(StringBuilder b) {
        b.append("\n## Connections held\n\n");
        b.append("Idle connections held (WebSocket, default heartbeat: a ping every 25 s), each size on a fresh start of "
                + "the target. Memory per connection after a full collection in every process: the target's resident set "
                + "and, for a JVM, its live heap; the kernel's socket caches (TCP, inode, file, dentry, epoll, bind "
                + "buckets: both sockets of each loopback connection, client and server); the generator's heap and "
                + "resident set. CPU per connection-second: the target's CPU in the steady window (heartbeats only), less "
                + "what it spent with no connection over as long, over connections times seconds. While held: new clients' handshakes, a room broadcast at the fixed "
                + "rate, and broadcasts to every connection (slowest of them: first and last delivery after the send). "
                + "Lost: held connections the target closed; silent: without a ping for 45 s at the end.\n\n");
        b.append("| Target | Held | Handshakes/s (peak) | Resident KB/conn | Live heap KB/conn | Kernel B/conn | "
                + "CPU µs per conn-s | Pings (expected) | New client p50 / p99 ms | Room p50 / p99 ms | To all: first / last ms "
                + "| Lost | Silent | Generator heap / resident B/conn | Others' CPU |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String size : heldSizes()) {
            for (TargetResult t : r.targets) {
                Results.Held h = t.held.get(size);
                if (h == null) {
                    continue;
                }
                double steadyWallCpus = h.steadySeconds() * cores;
                b.append("| ").append(t.label).append(" | ").append(h.held()).append(h.held() < h.clients() ? " of " + size : "")
                        .append(" | ").append(n(h.handshakesPerSecond())).append(" (").append(h.peakHandshakesPerSecond())
                        .append(") | ").append(n(h.rssPerConnectionKb())).append(" | ")
                        .append(Double.isNaN(h.liveHeapPerConnectionKb()) ? "-" : n(h.liveHeapPerConnectionKb()))
                        .append(" | ").append(h.kernel().readable() ? n(h.kernel().cachesBytes()) : "-")
                        .append(" | ").append(String.format(Locale.ROOT, "%.4f", h.cpuMicrosPerConnectionSecond()))
                        .append(" | ").append(h.pingsInSteady()).append(" (").append(Math.round(h.pingsExpected()))
                        .append(") | ").append(n(h.newClientHandshake().p50())).append(" / ")
                        .append(n(h.newClientHandshake().p99())).append(" | ").append(p5099(h.roomBroadcast()))
                        .append(" | ")
                        .append(n(h.broadcastToAll().stream().mapToDouble(Results.Reach::firstMillis).max().orElse(Double.NaN)))
                        .append(" / ")
                        .append(n(h.broadcastToAll().stream().mapToDouble(Results.Reach::lastMillis).max().orElse(Double.NaN)))
                        .append(" | ").append(h.lost()).append(" | ").append(h.silent()).append(" | ")
                        .append(n(h.generatorHeapPerConnectionBytes())).append(" / ")
                        .append(n(h.generatorRssPerConnectionBytes())).append(" | ")
                        .append(pct(steadyWallCpus == 0 ? 0 : h.steadyOthersCpuSeconds() / steadyWallCpus)).append(" |\n");
            }
        }
    }

    /** Where the live heap of the held connections went, per JVM target at its largest size. */
    private void heldClasses(StringBuilder b) {
        for (TargetResult t : r.targets) {
            String size = t.held.keySet().stream().max(java.util.Comparator.comparingInt(Integer::parseInt)).orElse(null);
            if (size == null || t.held.get(size).heapByClass() == null || t.held.get(size).heapByClass().isEmpty()) {
                continue;
            }
            b.append("\n**").append(t.label).append(", ").append(size)
                    .append(" held: live heap per connection by class (the top 30)**\n\n| Class | Instances | Bytes |\n|---|---:|---:|\n");
            for (Results.PerConnection c : t.held.get(size).heapByClass()) {
                b.append("| `").append(c.className()).append("` | ").append(n(c.instances())).append(" | ")
                        .append(n(c.bytes())).append(" |\n");
            }
        }
    }

    private void heldCharts() throws IOException {
        List<String> sizes = heldSizes();
        List<TargetResult> with = r.targets.stream().filter(t -> !t.held.isEmpty()).toList();
        List<String> names = with.stream().map(t -> t.name).toList();
        double[][] memory = with.stream().map(t -> sizes.stream()
                .mapToDouble(z -> t.held.containsKey(z) ? t.held.get(z).rssPerConnectionKb() : Double.NaN).toArray())
                .toArray(double[][]::new);
        double[][] cpu = with.stream().map(t -> sizes.stream()
                .mapToDouble(z -> t.held.containsKey(z) ? t.held.get(z).cpuMicrosPerConnectionSecond() : Double.NaN)
                .toArray()).toArray(double[][]::new);
        List<String> xs = sizes.stream().map(z -> Charts.format(Double.parseDouble(z))).toList();
        Charts.lines(dir.resolve("held-memory.png"), "Resident memory per held connection against N",
                "KB per connection, all processes of the target, after a full collection (lower is better)", xs, names,
                memory);
        Charts.lines(dir.resolve("held-cpu.png"), "CPU per held connection against N (heartbeats only)",
                "CPU microseconds per connection-second of the target (lower is better)", xs, names, cpu);
    }

    private String windowsCsv() {
        StringBuilder b = new StringBuilder("target,scenario,offered_per_s,delivered_per_s,delivered_ratio,p50_ms,p90_ms,"
                + "p99_ms,p999_ms,max_ms,seconds,target_cpu_s,generator_cpu_s,other_processes_cpu_s,target_cpu_us_per_msg,"
                + "pass,sustained,"
                + "tcp_retransmits,backlog_drops,target_system_cpu_s,target_write_calls,deliveries_per_write_call,target_syscalls,syscalls_per_delivery\n");
        for (TargetResult t : r.targets) {
            List<Window> all = new ArrayList<>();
            t.fanout.values().forEach(f -> all.addAll(f.steps()));
            if (t.ack != null) {
                all.add(t.ack);
            }
            if (t.crossWorker != null) {
                all.add(t.crossWorker.other());
            }
            for (Window w : all) {
                b.append(String.join(",", t.name, w.scenario(), c(w.offeredPerSecond()), c(w.deliveredPerSecond()),
                        c(w.deliveredRatio()), c(w.latency().p50()), c(w.latency().p90()), c(w.latency().p99()),
                        c(w.latency().p999()), c(w.latency().max()), c(w.seconds()), c(w.targetCpuSeconds()),
                        c(w.generatorCpuSeconds()), c(w.otherCpuSeconds()), c(w.targetCpuMicrosPerMessage()),
                        String.valueOf(w.pass()),
                        String.valueOf(w.sustained()), String.valueOf(w.tcpRetransmits()),
                        String.valueOf(w.backlogDrops()), c(w.targetSystemCpuSeconds()),
                        String.valueOf(w.targetWriteCalls()), c(w.deliveriesPerWriteCall()),
                        String.valueOf(w.targetSyscalls()), c(w.syscallsPerDelivery())))
                        .append('\n');
            }
        }
        return b.toString();
    }

    private String connectionsCsv() {
        StringBuilder b = new StringBuilder("target,clients,cold_handshakes_per_s,warm_handshakes_per_s,failures,"
                + "rss_start_mb,rss_baseline_mb,rss_idle_mb,rss_per_connection_kb,"
                + "target_cpu_s,generator_cpu_s,live_heap_per_connection_kb\n");
        for (TargetResult t : r.targets) {
            var c = t.connections;
            if (c == null) {
                continue;
            }
            b.append(String.join(",", t.name, String.valueOf(c.clients()), c(c.coldHandshakesPerSecond()),
                    c(c.warmHandshakesPerSecond()), String.valueOf(c.failures()), mbc(c.rssStartBytes()),
                    mbc(c.rssBaselineBytes()), mbc(c.rssIdleBytes()), c(c.rssPerConnectionKb()), c(c.targetCpuSeconds()), c(c.generatorCpuSeconds()),
                    c(c.liveHeapPerConnectionKb()))).append('\n');
        }
        return b.toString();
    }

    private String markdown() {
        String big = key(r.settings.get("clients"));
        String small = key(r.settings.get("smallClients"));
        String fixed = Charts.format(((Number) r.settings.get("fixedRate")).doubleValue());
        StringBuilder b = new StringBuilder();
        b.append("# Benchmark results (").append(r.mode).append(" run)\n\n");
        b.append("Started ").append(r.started).append(", finished ").append(r.finished).append(". Machine: ")
                .append(r.machine.get("nproc")).append(" CPUs (").append(r.machine.get("cpuModel")).append("), ")
                .append(r.machine.get("memoryGb")).append(" GB, Linux ").append(r.machine.get("kernel")).append(".\n");
        b.append("Versions: ");
        r.versions.forEach((k, v) -> b.append(k).append(' ').append(v).append(", "));
        b.setLength(b.length() - 2);
        b.append(".\n\n");

        b.append("## Summary\n\n");
        b.append("Fan-out: the highest delivered messages per second over all receivers of room \"r\" with a 99th "
                + "percentile under ").append(n((Double) r.settings.get("p99LimitMillis")))
                .append(" ms and every message delivered; latency at the fixed offered rate of ").append(fixed)
                .append(" deliveries/s. Memory: resident set of all the target's processes per idle connection, and for a JVM the live heap per idle connection (after a full collection).\n\n");
        b.append("| Target | Fan-out ").append(small).append(" max msg/s | Fan-out ").append(big)
                .append(" max msg/s | p50 / p99 ms at ").append(fixed).append("/s, ").append(small)
                .append(" | p50 / p99 ms at ").append(fixed).append("/s, ").append(big)
                .append(" | Acks/s (p99 ms) | Cross-worker p50 / p99 ms | Handshakes/s | KB per idle connection | Live heap KB per idle connection |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (TargetResult t : r.targets) {
            FanOut fs = t.fanout.get(small);
            FanOut fb = t.fanout.get(big);
            b.append("| ").append(t.label).append(t.error == null ? "" : " (error)")
                    .append(" | ").append(best(fs)).append(" | ").append(best(fb))
                    .append(" | ").append(p5099(fs == null ? null : fs.fixed()))
                    .append(" | ").append(p5099(fb == null ? null : fb.fixed()))
                    .append(" | ").append(t.ack == null ? "-" : Charts.format(t.ack.deliveredPerSecond()) + " ("
                            + n(t.ack.latency().p99()) + ")")
                    .append(" | ").append(t.crossWorker == null ? "-" : p5099(t.crossWorker.other()))
                    .append(" | ").append(t.connections == null ? "-" : Charts.format(t.connections.warmHandshakesPerSecond()))
                    .append(" | ").append(t.connections == null ? "-" : n(t.connections.rssPerConnectionKb()))
                    .append(" | ").append(t.connections == null || Double.isNaN(t.connections.liveHeapPerConnectionKb()) ? "-"
                            : n(t.connections.liveHeapPerConnectionKb()))
                    .append(" |\n");
        }

        b.append("\n## CPU\n\n");
        b.append("CPU seconds of the target (all its processes) and of the load generator during the window; the "
                + "generator's share is of the machine's ").append(cores).append(" CPUs over the window.\n\n");
        b.append("| Target | Window | Delivered msg/s | Target CPU s | Target CPU µs/msg | Generator CPU s | "
                + "Generator share of machine | Others' share |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (TargetResult t : r.targets) {
            for (var e : t.fanout.entrySet()) {
                cpuRow(b, t, "fan-out " + e.getKey() + " at " + fixed + "/s", e.getValue().fixed());
                cpuRow(b, t, "fan-out " + e.getKey() + " best", e.getValue().best());
                if (!java.util.Objects.equals(e.getValue().bestSustained(), e.getValue().best())) {
                    cpuRow(b, t, "fan-out " + e.getKey() + " best sustained", e.getValue().bestSustained());
                }
            }
            cpuRow(b, t, "ack", t.ack);
            if (t.connections != null) {
                var c = t.connections;
                b.append("| ").append(t.label).append(" | ramp to ").append(c.clients()).append(" | ")
                        .append(Charts.format(c.warmHandshakesPerSecond())).append(" handshakes/s | ")
                        .append(n(c.targetCpuSeconds())).append(" | ").append(" | ").append(n(c.generatorCpuSeconds()))
                        .append(" | ").append(pct(c.generatorCpuSeconds() / (c.rampSeconds() * cores))).append(" | |\n");
            }
        }

        b.append("\n## Against the aims\n\n");
        for (String line : aims(small, big)) {
            b.append("- ").append(line).append('\n');
        }

        b.append("\n## Machine load\n\nOther processes: the share of the machine's CPU used by processes other than the "
                + "target and the generator during the target's windows (work that disturbed the measurement).\n\n"
                + "| Target | load average before | after | other processes | startup s | errors |\n|---|---|---|---:|---:|---|\n");
        for (TargetResult t : r.targets) {
            b.append("| ").append(t.label).append(" | ").append(t.loadBefore).append(" | ").append(t.loadAfter)
                    .append(" | ").append(pct(t.othersCpuShare)).append(" | ").append(n(t.startupSeconds)).append(" | ")
                    .append(t.error == null ? "" : t.error.replace('|', '/'))
                    .append(t.firstAttemptError == null ? ""
                            : (t.error == null ? "" : "; ") + "started again after: " + t.firstAttemptError.replace('|', '/'))
                    .append(" |\n");
        }

        if (files().contains("held.csv")) {
            heldMarkdown(b);
            heldClasses(b);
        }

        if (r.targets.stream().filter(t -> t.profile != null).count() > 1) {
            b.append("\n## Allocation by target during the ").append(big).append("-client fan-out (JFR)\n\n"
                    + "| Target | MB allocated | deliveries | bytes per delivery |\n|---|---:|---:|---:|\n");
            for (TargetResult t : r.targets) {
                if (t.profile != null) {
                    b.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.1f |%n", t.label,
                            t.profile.allocatedBytes() / 1048576.0, t.profile.deliveries(),
                            t.profile.allocatedBytesPerDelivery()));
                }
            }
        }

        if (r.profile != null) {
            b.append("\n## Profile: ").append(r.profile.target()).append(" during the ").append(big)
                    .append("-client fan-out (JFR, ").append(r.profile.samples()).append(" samples)\n\n");
            b.append(String.format(Locale.ROOT, "Allocation: %.1f MB allocated by the target's threads during the recording "
                    + "(jdk.ThreadAllocationStatistics), %.0f messages delivered: %.1f bytes per delivered message.%n%n",
                    r.profile.allocatedBytes() / 1048576.0, r.profile.deliveries(), r.profile.allocatedBytesPerDelivery()));
            hot(b, "Extension methods at the top of the extension's part of the stack (self time of the extension)",
                    r.profile.topExtensionFrames());
            hot(b, "Extension methods anywhere in the stack (inclusive)", r.profile.extensionInclusive());
            hot(b, "Top frames overall", r.profile.topFrames());
            if (r.profile.threads() != null) {
                hot(b, "Samples per thread", r.profile.threads());
            }
        }
        return b.toString();
    }

    private List<String> aims(String small, String big) {
        List<String> out = new ArrayList<>();
        TargetResult q = find("qsio"), qc = find("qsio-cluster"), node = find("node"), nodec = find("node-cluster"),
                netty = find("netty-socketio"), vx = find("vertx"), raw = find("netty"), uws = find("node-uws");
        for (String size : List.of(small, big)) {
            cpu(out, "target CPU per delivery, fan-out " + size + ": this project / Node on uWebSockets.js (aim <= 0.5)",
                    q, uws, size, 0.5);
            ratio(out, "fan-out " + size + ", one process: this project / Node on uWebSockets.js (aim >= 1)", q, uws,
                    size, 1, true);
            cpu(out, "target CPU per delivery, fan-out " + size + ": this project / netty-socketio (aim <= 0.6)", q, netty,
                    size, 0.6);
            cpu(out, "target CPU per delivery, fan-out " + size + ": this project / Node (aim <= 0.5)", q, node, size, 0.5);
            ratio(out, "fan-out " + size + ", one process: this project / netty-socketio (aim >= 1.5)", q, netty, size, 1.5,
                    true);
            ratio(out, "fan-out " + size + ", one process: this project / Node (aim >= 2)", q, node, size, 2, true);
            ratio(out, "fan-out " + size + ", two workers: this project / Node cluster (aim >= 2)", qc, nodec, size, 2, true);
            ratio(out, "fan-out " + size + ": this project / raw Netty ceiling (aim >= 0.9)", q, raw, size, 0.9, true);
            ratio(out, "fan-out " + size + ": this project / bare Vert.x (for comparison, aim >= 0.9)", q, vx, size, 0.9,
                    true);
        }
        if (q != null && node != null && q.fanout.get(big) != null && node.fanout.get(big) != null) {
            double a = q.fanout.get(big).fixed().latency().p99();
            double bb = node.fanout.get(big).fixed().latency().p99();
            out.add(String.format(Locale.ROOT, "p99 at the fixed rate, %s clients: this project %.2f ms / Node %.2f ms = %.2f (aim <= 0.5): %s",
                    big, a, bb, a / bb, a / bb <= 0.5 ? "met" : "not met"));
        }
        if (q != null && node != null && q.connections != null && node.connections != null) {
            double a = q.connections.rssPerConnectionKb(), bb = node.connections.rssPerConnectionKb();
            out.add(String.format(Locale.ROOT, "memory per idle connection: this project %.2f KB / Node %.2f KB (aim <= Node's): %s",
                    a, bb, a <= bb ? "met" : "not met"));
        }
        if (q != null && uws != null && q.connections != null && uws.connections != null) {
            double a = q.connections.rssPerConnectionKb(), bb = uws.connections.rssPerConnectionKb();
            out.add(String.format(Locale.ROOT, "memory per idle connection: this project %.2f KB / Node on uWebSockets.js "
                    + "%.2f KB = %.2f (aim <= 0.5): %s", a, bb, a / bb, a / bb <= 0.5 ? "met" : "not met"));
        }
        connectionAims(out, q, uws, find("bun"), "one process");
        connectionAims(out, qc, find("node-uws-cluster"), null, "two workers");
        heldAims(out, q, node, uws);
        if (q != null && q.connections != null && !Double.isNaN(q.connections.liveHeapPerConnectionKb())) {
            double a = q.connections.liveHeapPerConnectionKb();
            out.add(String.format(Locale.ROOT, "live heap per idle connection: this project %.2f KB (aim <= 4 KB): %s", a,
                    a <= 4 ? "met" : "not met"));
        }
        if (q != null && netty != null && q.connections != null && netty.connections != null) {
            double a = q.connections.warmHandshakesPerSecond(), bb = netty.connections.warmHandshakesPerSecond();
            out.add(String.format(Locale.ROOT, "handshakes per second (warm): this project %.0f / netty-socketio %.0f = %.2f (aim >= 1): %s",
                    a, bb, a / bb, a >= bb ? "met" : "not met"));
        }
        return out;
    }

    /**
     * What a connection costs against the best Node setups (issue 68): warm handshakes a second at least the best of
     * uWebSockets.js and Bun's, the first ramp of a fresh process at least 0.8 of the warm one, CPU per handshake and
     * resident memory per idle connection at most uWebSockets.js's.
     */
    private static void connectionAims(List<String> out, TargetResult mine, TargetResult uws, TargetResult bun,
            String layout) {
        if (mine == null || mine.connections == null) {
            return;
        }
        Results.Connections c = mine.connections;
        TargetResult best = null;
        for (TargetResult t : java.util.Arrays.asList(uws, bun)) {
            if (t != null && t.connections != null && (best == null
                    || t.connections.warmHandshakesPerSecond() > best.connections.warmHandshakesPerSecond())) {
                best = t;
            }
        }
        if (best != null) {
            double a = c.warmHandshakesPerSecond(), b = best.connections.warmHandshakesPerSecond();
            out.add(String.format(Locale.ROOT, "warm handshakes a second, %s: this project %.0f / %s %.0f = %.2f "
                    + "(aim >= 1): %s", layout, a, best.label, b, a / b, a >= b ? "met" : "not met"));
        }
        double first = c.coldHandshakesPerSecond() / c.warmHandshakesPerSecond();
        out.add(String.format(Locale.ROOT, "first ramp of a fresh process / its warm ramp, %s: %.0f / %.0f = %.2f "
                + "(aim >= 0.8): %s", layout, c.coldHandshakesPerSecond(), c.warmHandshakesPerSecond(), first,
                first >= 0.8 ? "met" : "not met"));
        if (uws != null && uws.connections != null) {
            Results.Connections u = uws.connections;
            double a = c.targetCpuSeconds() / c.clients() * 1e6, b = u.targetCpuSeconds() / u.clients() * 1e6;
            out.add(String.format(Locale.ROOT, "target CPU per handshake (warm ramp), %s: this project %.1f µs / %s "
                    + "%.1f µs = %.2f (aim <= 1): %s", layout, a, uws.label, b, a / b, a <= b ? "met" : "not met"));
            double m = c.rssPerConnectionKb(), n = u.rssPerConnectionKb();
            out.add(String.format(Locale.ROOT, "resident per idle connection, %s: this project %.2f KB / %s %.2f KB = "
                    + "%.2f (aim <= 1): %s", layout, m, uws.label, n, m / n, m <= n ? "met" : "not met"));
        }
    }

    /**
     * The hold scenario's aims: resident memory per connection at this project's largest size against Node's at the
     * largest size Node held, heartbeat CPU per connection-second against Node's, memory against Node on
     * uWebSockets.js.
     */
    private static void heldAims(List<String> out, TargetResult q, TargetResult node, TargetResult uws) {
        Results.Held mine = largest(q);
        if (mine == null) {
            return;
        }
        for (TargetResult other : java.util.Arrays.asList(node, uws)) {
            Results.Held theirs = largest(other);
            if (theirs == null) {
                continue;
            }
            double m = mine.rssPerConnectionKb() / theirs.rssPerConnectionKb();
            out.add(String.format(Locale.ROOT, "held connections, resident per connection: this project at %d %.2f KB / "
                    + "%s at %d %.2f KB = %.2f (aim <= 0.5): %s", mine.held(), mine.rssPerConnectionKb(), other.label,
                    theirs.held(), theirs.rssPerConnectionKb(), m, m <= 0.5 ? "met" : "not met"));
            // the aim for heartbeats is against Node's own server; against uWebSockets.js, for comparison
            double c = mine.cpuMicrosPerConnectionSecond() / theirs.cpuMicrosPerConnectionSecond();
            out.add(String.format(Locale.ROOT, "held connections, heartbeat CPU per connection-second: this project "
                    + "%.4f µs / %s %.4f µs = %.2f%s", mine.cpuMicrosPerConnectionSecond(), other.label,
                    theirs.cpuMicrosPerConnectionSecond(), c, other == node ? " (aim <= 0.5): " + (c <= 0.5 ? "met"
                            : "not met") : " (for comparison)"));
        }
    }

    /** The hold at the most connections a target held all of, or null. */
    private static Results.Held largest(TargetResult t) {
        if (t == null) {
            return null;
        }
        return t.held.values().stream().filter(h -> h.held() == h.clients())
                .max(java.util.Comparator.comparingInt(Results.Held::held)).orElse(null);
    }

    /** Target CPU per delivered message in each one's best window, as a ratio; lower is better. */
    private static void cpu(List<String> out, String what, TargetResult a, TargetResult b, String size, double aim) {
        if (a == null || b == null || a.fanout.get(size) == null || b.fanout.get(size) == null) {
            return;
        }
        Window wa = a.fanout.get(size).best() != null ? a.fanout.get(size).best() : a.fanout.get(size).bestSustained();
        Window wb = b.fanout.get(size).best() != null ? b.fanout.get(size).best() : b.fanout.get(size).bestSustained();
        if (wa == null || wb == null) {
            out.add(what + ": no window for " + (wa == null ? a.label : b.label));
            return;
        }
        double ratio = wa.targetCpuMicrosPerMessage() / wb.targetCpuMicrosPerMessage();
        out.add(String.format(Locale.ROOT, "%s: %.2f µs / %.2f µs = %.2f: %s", what, wa.targetCpuMicrosPerMessage(),
                wb.targetCpuMicrosPerMessage(), ratio, ratio <= aim ? "met" : "not met"));
    }

    private static void ratio(List<String> out, String what, TargetResult a, TargetResult b, String size, double aim,
            boolean higherBetter) {
        if (a == null || b == null || a.fanout.get(size) == null || b.fanout.get(size) == null) {
            return;
        }
        Window wa = a.fanout.get(size).best(), wb = b.fanout.get(size).best();
        String basis = "";
        if (wa == null || wb == null) {
            // no window under the latency limit for one of them: compare the sustained throughput instead
            wa = a.fanout.get(size).bestSustained();
            wb = b.fanout.get(size).bestSustained();
            basis = " (sustained throughput, p99 under 1 s: no window under the limit for "
                    + (a.fanout.get(size).best() == null ? a.label : b.label) + ")";
            if (wa == null || wb == null) {
                out.add(what + ": no sustained window for " + (wa == null ? a.label : b.label));
                return;
            }
        }
        double ratio = wa.deliveredPerSecond() / wb.deliveredPerSecond();
        out.add(String.format(Locale.ROOT, "%s: %s / %s = %.2f%s: %s", what, Charts.format(wa.deliveredPerSecond()),
                Charts.format(wb.deliveredPerSecond()), ratio, basis,
                (higherBetter ? ratio >= aim : ratio <= aim) ? "met" : "not met"));
    }

    private TargetResult find(String name) {
        return r.targets.stream().filter(t -> t.name.equals(name)).findFirst().orElse(null);
    }

    private void cpuRow(StringBuilder b, TargetResult t, String what, Window w) {
        if (w == null) {
            return;
        }
        b.append("| ").append(t.label).append(" | ").append(what).append(" | ").append(Charts.format(w.deliveredPerSecond()))
                .append(" | ").append(n(w.targetCpuSeconds())).append(" | ").append(n(w.targetCpuMicrosPerMessage()))
                .append(" | ").append(n(w.generatorCpuSeconds())).append(" | ")
                .append(pct(w.generatorCpuSeconds() / (w.seconds() * cores))).append(" | ")
                .append(pct(w.otherCpuSeconds() / (w.seconds() * cores))).append(" |\n");
    }

    private static void hot(StringBuilder b, String title, List<Hot> hot) {
        b.append("**").append(title).append("**\n\n| Method | Samples | % of all samples |\n|---|---:|---:|\n");
        for (Hot h : hot) {
            b.append("| `").append(h.method()).append("` | ").append(h.samples()).append(" | ").append(n(h.percent()))
                    .append(" |\n");
        }
        b.append('\n');
    }

    private void charts() throws IOException {
        List<String> labels = r.targets.stream().map(t -> t.name).toList();
        String big = key(r.settings.get("clients"));
        String small = key(r.settings.get("smallClients"));
        List<String> sizes = List.of(small + " clients", big + " clients");
        Charts.bars(dir.resolve("fanout-max.png"), "Fan-out: highest delivered messages/s",
                "messages per second, all receivers together, with p99 < 100 ms and sustained with p99 < 1 s (higher is better)",
                labels, List.of(small + ", p99 < 100 ms", small + ", sustained", big + ", p99 < 100 ms", big + ", sustained"),
                new double[][] { col(t -> best(t, small, false)), col(t -> best(t, small, true)),
                        col(t -> best(t, big, false)), col(t -> best(t, big, true)) });
        Charts.bars(dir.resolve("fanout-latency.png"), "Fan-out latency p99 at the fixed offered rate",
                "milliseconds, publisher emit to receipt (lower is better)", labels, sizes,
                new double[][] { col(t -> fixedP99(t, small)), col(t -> fixedP99(t, big)) });
        Charts.bars(dir.resolve("ack.png"), "Request/ack: echo acknowledgements per second",
                "acks per second (higher is better)", labels, List.of("acks/s"),
                new double[][] { col(t -> t.ack == null ? Double.NaN : t.ack.deliveredPerSecond()) });
        Charts.bars(dir.resolve("connections.png"), "Handshakes per second while ramping to " + big + " connections",
                "WebSocket upgrade + Engine.IO open + namespace CONNECT (higher is better)", labels,
                List.of("cold", "warm"), new double[][] {
                        col(t -> t.connections == null ? Double.NaN : t.connections.coldHandshakesPerSecond()),
                        col(t -> t.connections == null ? Double.NaN : t.connections.warmHandshakesPerSecond()) });
        Charts.bars(dir.resolve("memory.png"), "Resident memory per idle connection",
                "KB, all processes of the target (lower is better)", labels, List.of("KB per connection"),
                new double[][] { col(t -> t.connections == null ? Double.NaN : t.connections.rssPerConnectionKb()) });
        Charts.bars(dir.resolve("cpu.png"), "CPU per delivered message, fan-out to " + big + " at the fixed rate",
                "CPU microseconds per delivered message: the target's and the load generator's", labels,
                List.of("target", "load generator"), new double[][] {
                        col(t -> cpuPerMsg(t, big, false)), col(t -> cpuPerMsg(t, big, true)) });
    }

    private double[] col(Function<TargetResult, Double> f) {
        return r.targets.stream().mapToDouble(t -> {
            Double v = f.apply(t);
            return v == null ? Double.NaN : v;
        }).toArray();
    }

    private static double best(TargetResult t, String size, boolean sustained) {
        FanOut f = t.fanout.get(size);
        Window w = f == null ? null : sustained ? f.bestSustained() : f.best();
        return w == null ? Double.NaN : w.deliveredPerSecond();
    }

    private static double fixedP99(TargetResult t, String size) {
        FanOut f = t.fanout.get(size);
        return f == null ? Double.NaN : f.fixed().latency().p99();
    }

    private static double cpuPerMsg(TargetResult t, String size, boolean generator) {
        FanOut f = t.fanout.get(size);
        if (f == null) {
            return Double.NaN;
        }
        Window w = f.fixed();
        double msgs = w.deliveredPerSecond() * w.seconds();
        return msgs == 0 ? Double.NaN : (generator ? w.generatorCpuSeconds() : w.targetCpuSeconds()) / msgs * 1e6;
    }

    private static String best(FanOut f) {
        if (f == null) {
            return "-";
        }
        String sustained = f.bestSustained() == null || f.bestSustained().equals(f.best()) ? ""
                : "; sustained " + Charts.format(f.bestSustained().deliveredPerSecond()) + " (p99 "
                        + n(f.bestSustained().latency().p99()) + ")";
        // the climb ended on a window the generator could not offer: the target's figures are at least these
        boolean bound = f.steps().stream().anyMatch(Window::generatorBound);
        String lowerBound = bound ? " (at least: the generator ran out of CPU first)" : "";
        if (f.best() == null) {
            return "none under the limit" + sustained + lowerBound;
        }
        return (bound ? "≥ " : "") + Charts.format(f.best().deliveredPerSecond()) + " (p99 " + n(f.best().latency().p99())
                + ")" + sustained + lowerBound;
    }

    private static String p5099(Window w) {
        return w == null ? "-" : n(w.latency().p50()) + " / " + n(w.latency().p99());
    }

    private static String key(Object o) {
        return String.valueOf(o);
    }

    static String n(double v) {
        return Charts.format(v);
    }

    private static String c(double v) {
        return String.valueOf(v);
    }

    private static String mbc(long bytes) {
        return c(Math.round(bytes / 10485.76) / 100.0);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", v * 100);
    }
}
