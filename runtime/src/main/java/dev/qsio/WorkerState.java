package dev.qsio;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The states of a worker, as the primary tracks them. */
public enum WorkerState {
    /** Its process started and is not ready yet. */
    STARTING,
    /** It accepts connections (see {@link WorkerInfo#ready()} for whether it is ready right now). */
    RUNNING,
    /** It was asked to stop: it drains its sessions. */
    STOPPING,
    /** It stopped on request. */
    STOPPED,
    /** It crashed and waits to be restarted. */
    RESPAWNING,
    /** It crashed too often (the restart policy) and will not be restarted. */
    FAILED;

    /** The state in lower case, as the cluster endpoint, health checks and metrics show it. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the worker counts towards the size of the cluster (it is neither stopped nor failed). */
    public boolean live() {
        return this != STOPPED && this != FAILED;
    }

    @Override
    public String toString() {
        return label();
    }
}
