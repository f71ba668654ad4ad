package dev.qsio.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test: how to start it, and the processes it runs (the started process and its descendants, such
 * as the workers of a cluster), whose CPU time and resident memory are read from {@code /proc}.
 */
final class Target {

    /** Clock ticks per second of {@code /proc/<pid>/stat} times ({@code getconf CLK_TCK}, 100 on Linux). */
    private static final double TICKS = 100.0;

    final String name;
    final String label;
    /** Chosen free when the run starts; moved by {@link #movePort} if another process takes it meanwhile. */
    int port;
    /** Worker processes serving clients: 0 for a single process. */
    final int workers;
    final boolean jvm;
    /** Whether its clients are WebTransport sessions (on the UDP port of its HTTP port's number), not WebSockets. */
    boolean webTransport;
    private List<String> command;
    private final Path dir;
    private final Map<String, String> env;
    private Process process;
    private Path log;
    private final List<ProcessHandle> seen = new ArrayList<>();
    /** The processes that served when the target was ready: all must still run for a figure to count. */
    private List<ProcessHandle> serving = List.of();

    Target(String name, String label, int port, int workers, boolean jvm, Path dir, Map<String, String> env,
            List<String> command) {
        this.name = name;
        this.label = label;
        this.port = port;
        this.workers = workers;
        this.jvm = jvm;
        this.dir = dir;
        this.env = env;
        this.command = command;
    }

    /** This target with WebTransport clients. */
    Target onWebTransport() {
        webTransport = true;
        return this;
    }

    List<String> command() {
        return command;
    }

    /**
     * Serves on {@code free} instead of the port chosen at the start of the run, which another process took since:
     * the port is an argument of the command line, alone ({@code 38895}) or as a value ({@code -D...port=38895}).
     */
    void movePort(int free) {
        String old = Integer.toString(port);
        command = command.stream().map(a -> a.equals(old) ? Integer.toString(free)
                : a.endsWith("=" + old) ? a.substring(0, a.length() - old.length()) + free : a).toList();
        port = free;
    }

    /** The same server, measured again as round {@code round} of an interleaved run: named {@code <name>#<round>}. */
    Target round(int round) {
        Target t = new Target(name + "#" + round, label + ", round " + round, port, workers, jvm, dir, env, command);
        t.webTransport = webTransport;
        return t;
    }

    void start(Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        this.log = log;
        process = pb.start();
        serving = List.of();
        seen.clear();
        seen.add(process.toHandle());
    }

    /** The target's log, as {@link #start} was given it. */
    Path log() {
        return log;
    }

    /** The target answers on every worker: its processes now are those every figure from here on depends on. */
    void ready() {
        serving = processes();
    }

    /**
     * Why the target is no longer fully up, or null: a process that served when it was ready has exited (a worker
     * that died takes its connections and its memory with it, and the figures with them).
     */
    String notFullyUp() {
        List<Long> gone = serving.stream().filter(h -> !h.isAlive()).map(ProcessHandle::pid).toList();
        return gone.isEmpty() ? null : "process " + gone + " of the target exited (of " + serving.size() + " serving at start)";
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** The started process and its live descendants; remembered so that none is missed when stopping. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        if (process == null) {
            return all;
        }
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        for (ProcessHandle h : all) {
            if (seen.stream().noneMatch(s -> s.pid() == h.pid())) {
                seen.add(h);
            }
        }
        return all;
    }

    /** CPU seconds (user + system) used so far by the live processes of this target. */
    double cpuSeconds() {
        double total = 0;
        for (ProcessHandle h : processes()) {
            total += cpuSeconds(h.pid());
        }
        return total;
    }

    /** The kernel's share of {@link #cpuSeconds()}: system CPU seconds of the live processes of this target. */
    double systemCpuSeconds() {
        double total = 0;
        for (ProcessHandle h : processes()) {
            total += cpuField(h.pid(), 12);
        }
        return total;
    }

    /** Resident memory of all processes of this target, in bytes. */
    long rssBytes() {
        long total = 0;
        for (ProcessHandle h : processes()) {
            total += rssBytes(h.pid());
        }
        return total;
    }

    /**
     * Runs a full garbage collection in every process of the target, and returns once each has finished it:
     * {@code jcmd GC.run} in a JVM (which returns when the collection is done); in Node, the bench server calls
     * {@code gc()} on SIGUSR2 (it runs with {@code --expose-gc}) and then writes {@code gc done in <pid>} to its output,
     * which is waited for.
     */
    void collectGarbage() throws Exception {
        List<ProcessHandle> all = processes();
        Map<Long, Integer> before = new java.util.HashMap<>();
        for (ProcessHandle h : all) {
            before.put(h.pid(), jvm ? 0 : gcDone(h.pid()));
            String pid = Long.toString(h.pid());
            List<String> cmd = jvm ? List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid, "GC.run")
                    : List.of("kill", "-USR2", pid);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (jvm) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ProcessHandle h : all) {
            // polls the target's log for the line its collection writes (the harness has no Awaitility: not a test)
            while (h.isAlive() && gcDone(h.pid()) <= before.get(h.pid())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": process " + h.pid()
                            + " did not finish its garbage collection within 30 s (log: " + log + ")");
                }
                Thread.sleep(20);
            }
        }
    }

    /** How many collections process {@code pid} has reported done in the target's log. */
    private int gcDone(long pid) throws IOException {
        String marker = "gc done in " + pid;
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return (int) lines.filter(marker::equals).count();
        }
    }

    /**
     * The live heap of every JVM process of this target, in bytes: the total of {@code jcmd GC.class_histogram},
     * which collects first (as {@code jmap -histo:live}); -1 for a target that is not a JVM.
     */
    long liveHeapBytes() throws Exception {
        Map<String, long[]> h = classHistogram();
        return h == null ? -1 : h.values().stream().mapToLong(v -> v[1]).sum();
    }

    /**
     * The class histogram of the live heap, all JVM processes of the target together (a full collection first):
     * instances and bytes by class name; null for a target that is not a JVM.
     */
    Map<String, long[]> classHistogram() throws Exception {
        if (!jvm) {
            return null;
        }
        Map<String, long[]> all = new java.util.HashMap<>();
        for (ProcessHandle h : processes()) {
            String out = jcmd(h.pid(), "GC.class_histogram");
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                // "  1:  123  4567  java.lang.String (java.base@17)"
                if (f.length >= 4 && f[0].endsWith(":")) {
                    long[] v = all.computeIfAbsent(f[3], k -> new long[2]);
                    v[0] += Long.parseLong(f[1]);
                    v[1] += Long.parseLong(f[2]);
                }
            }
        }
        return all;
    }

    /** What {@code jcmd <pid> <command>} prints for every JVM process of the target, one after the other. */
    String jcmdAll(String command) throws Exception {
        StringBuilder b = new StringBuilder();
        for (ProcessHandle h : processes()) {
            b.append("== pid ").append(h.pid()).append('\n').append(jcmd(h.pid(), command)).append('\n');
        }
        return b.toString();
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    static double cpuSeconds(long pid) {
        return cpuField(pid, 11) + cpuField(pid, 12);
    }

    /** A CPU time field of {@code /proc/<pid>/stat} in seconds: 11 for utime (field 14), 12 for stime (field 15). */
    private static double cpuField(long pid, int index) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name, which is in parentheses and may contain spaces; f[0] is field 3 (state)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[index]) / TICKS;
        } catch (IOException | RuntimeException e) {
            return 0; // the process has just exited
        }
    }

    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited
        }
        return 0;
    }

    /**
     * Stops every process of the target: SIGTERM to the started process (a cluster primary stops its workers), then
     * SIGKILL to whatever is still alive after the grace period, descendants included.
     */
    void stop(long graceMillis) {
        if (process == null) {
            return;
        }
        processes();
        List<ProcessHandle> all = List.copyOf(seen);
        process.destroy();
        long deadline = System.currentTimeMillis() + graceMillis;
        for (ProcessHandle h : all) {
            long left = Math.max(1, deadline - System.currentTimeMillis());
            try {
                h.onExit().get(left, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // still running: killed below
            }
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // nothing more we can do from here; the bench/run wrapper kills the process group
            }
        }
        process = null;
    }
}
