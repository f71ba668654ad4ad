package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.qsio.WorkerInfo;

/**
 * Whether the host can carry more workers: each new one is taken to need the resident memory of the largest
 * running one, and together they must fit in what the kernel reports available. Linux only; elsewhere, or without a
 * running worker to measure, nothing is refused.
 */
final class HostCapacity {

    private HostCapacity() {
    }

    /** Why scaling to {@code target} workers is refused, or {@code null} when the host can carry them. */
    static String refusal(List<WorkerInfo> workers, int target) {
        List<WorkerInfo> live = workers.stream().filter(w -> w.state().live() && w.pid() > 0).toList();
        int more = target - live.size();
        if (more <= 0) {
            return null;
        }
        long perWorkerKb = 0;
        for (WorkerInfo w : live) {
            perWorkerKb = Math.max(perWorkerKb, kb(Path.of("/proc", String.valueOf(w.pid()), "status"), "VmRSS:"));
        }
        long availableKb = kb(Path.of("/proc/meminfo"), "MemAvailable:");
        if (perWorkerKb <= 0 || availableKb <= 0 || (long) more * perWorkerKb <= availableKb) {
            return null;
        }
        return "cannot start " + more + " more workers: each needs about " + perWorkerKb / 1024 + " MB and the host has "
                + availableKb / 1024 + " MB available";
    }

    /** The kilobytes on the line of {@code file} that starts with {@code key}, or -1. */
    static long kb(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
