package dev.qsio.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The system calls a target's processes make during a window, counted by the kernel's tracepoints through
 * {@code perf stat} (Debian's {@code linux-perf}, as root): those that write to a socket ({@code write},
 * {@code writev}, {@code sendto}, {@code sendmsg}; a JVM on Netty's epoll transport writes one buffer with
 * {@code sendto}, several with {@code writev}) and all of them. Where perf or its tracepoints are missing, the counts
 * are -1 and nothing else changes.
 */
final class Syscalls {

    private static final List<String> WRITES = List.of("write", "writev", "sendto", "sendmsg");
    private static final String ALL = "raw_syscalls:sys_enter";
    private static volatile Boolean available;

    record Counts(long writes, long all) {
        static final Counts NONE = new Counts(-1, -1);
    }

    private final Process perf;

    private Syscalls(Process perf) {
        this.perf = perf;
    }

    /** Starts counting the calls of these processes (their threads as they are now). */
    static Syscalls start(List<ProcessHandle> processes) {
        if (processes.isEmpty() || !available()) {
            return new Syscalls(null);
        }
        String events = WRITES.stream().map(w -> "syscalls:sys_enter_" + w).collect(Collectors.joining(",")) + ","
                + ALL;
        String pids = processes.stream().map(h -> Long.toString(h.pid())).collect(Collectors.joining(","));
        try {
            Process p = new ProcessBuilder("perf", "stat", "-x", ",", "-e", events, "-p", pids)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return new Syscalls(p);
        } catch (IOException e) {
            return new Syscalls(null);
        }
    }

    /** Stops counting; what was counted since {@link #start}. */
    Counts stop() {
        if (perf == null) {
            return Counts.NONE;
        }
        try {
            // perf stat prints its counts on SIGINT
            new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor(5, TimeUnit.SECONDS);
            if (!perf.waitFor(10, TimeUnit.SECONDS)) {
                perf.destroyForcibly();
                return Counts.NONE;
            }
            long writes = 0;
            long all = -1;
            for (String line : new String(perf.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split(",");
                if (f.length < 3 || !f[0].matches("[0-9]+")) {
                    continue;
                }
                long n = Long.parseLong(f[0]);
                if (f[2].equals(ALL)) {
                    all = n;
                } else {
                    writes += n;
                }
            }
            return all < 0 ? Counts.NONE : new Counts(writes, all);
        } catch (IOException | RuntimeException e) {
            return Counts.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Counts.NONE;
        }
    }

    private static boolean available() {
        Boolean a = available;
        if (a == null) {
            try {
                Process p = new ProcessBuilder("perf", "stat", "-x", ",", "-e", "syscalls:sys_enter_sendto", "true")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
                a = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                a = false;
            }
            available = a;
        }
        return a;
    }
}
