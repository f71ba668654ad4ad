package dev.qsio.runtime.server;

import dev.qsio.runtime.adapter.Adapter;

/** Creates the adapter of each namespace: in memory for one process, over the bus in a cluster. */
@FunctionalInterface
public interface Adapters {

    Adapter create(Namespace namespace);
}
