package dev.qsio;

import java.time.Instant;

/**
 * One worker as the primary sees it.
 *
 * @param id the worker id ({@code 1..n}), stable across its restarts
 * @param pid the process id of its current process, or {@code -1} when none runs
 * @param state its state
 * @param ready whether it accepts connections and its bus link is up
 * @param restarts how many times it was restarted after a crash
 * @param startedAt when its current process started
 */
public record WorkerInfo(int id, long pid, WorkerState state, boolean ready, int restarts, Instant startedAt) {
}
