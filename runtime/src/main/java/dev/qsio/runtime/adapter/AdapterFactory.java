package dev.qsio.runtime.adapter;

/**
 * Creates the adapter of each namespace: in memory for one process, reaching the other servers in a cluster. The
 * application's factory is chosen once at startup from the role of the process and its configuration.
 */
@FunctionalInterface
public interface AdapterFactory {

    Adapter create(LocalSockets namespace);
}
