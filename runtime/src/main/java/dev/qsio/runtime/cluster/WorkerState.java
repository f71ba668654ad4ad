package dev.qsio.runtime.cluster;

import java.util.Locale;

/** The states of a worker, as the supervisor tracks them. */
public enum WorkerState {
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    RESPAWNING,
    FAILED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
