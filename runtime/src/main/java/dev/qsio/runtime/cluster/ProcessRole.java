package dev.qsio.runtime.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.server.ServerRole;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.runtime.wire.WireFigures;

/**
 * What this process does in a cluster, chosen once at startup from {@link ClusterInfo#role()}: a single server
 * ({@link SingleProcess}), the primary of a cluster ({@link PrimaryProcess}) or one of its workers
 * ({@link WorkerProcess}). The cluster's lifecycle and the views (health probes, meters, Dev UI, Admin UI) ask it for
 * what differs between them, and never branch on the role themselves.
 */
public interface ProcessRole extends ServerRole {

    /** The role, for display. */
    ClusterInfo.Role role();

    /** Starts the cluster side of this process, before the HTTP server starts. */
    void bootstrap();

    /** The HTTP server listens on every port it should. */
    default void listening() {
    }

    /** Names the application's port in Quarkus' startup line, when this process holds it itself. */
    default void announceListening() {
    }

    /** The first shutdown observer: a worker stops listening before anything closes its sessions. */
    default void stopping() {
    }

    /** The last shutdown observer. */
    default void stopped() {
    }

    /** Liveness: a process that answers is alive, unless its role says more. */
    default boolean live() {
        return true;
    }

    /** The startup probe: a process that answers has started, unless its role says more. */
    default boolean started() {
        return true;
    }

    /** Whether this process serves Socket.IO clients itself: every one but the primary of a cluster. */
    @Override
    default boolean servesSockets() {
        return true;
    }

    /** Readiness, with the lines the probe reports. */
    Readiness readiness();

    /**
     * The figures of the servers this process reports for, by worker id: its own (worker {@code 0} for a single
     * process), or, in the primary, those each worker last reported.
     */
    Map<Integer, Supplier<Figures>> servers();

    /** The workers this process supervises: none but in the primary. */
    default List<WorkerInfo> workers() {
        return List.of();
    }

    /** Whether this process supervises workers, so that it has meters of workers by state. */
    default boolean supervises() {
        return false;
    }

    /** How many times a supervised worker's process ended without being asked to. */
    default int crashesOf(int workerId) {
        return 0;
    }

    /**
     * The store of connection state recovery this process keeps in memory (a single process's, or the primary's for
     * its workers on the local bus), or null when it keeps none.
     */
    default Supplier<InMemorySessionStore> recoveryStore() {
        return null;
    }

    /** This process's own figures. */
    Figures localFigures();

    /** A readiness answer: up or not, and the lines of the probe, in order. */
    record Readiness(boolean up, Map<String, Object> data) {
    }

    /**
     * Reports the wire between hosts, if any, in {@code data}; false when it is down and that makes this server not
     * ready.
     */
    static boolean wireUp(ClusterBus clusterBus, Map<String, Object> data) {
        Wire wire = clusterBus.wire();
        if (wire == null) {
            return true;
        }
        WireFigures figures = wire.figures();
        data.put(clusterBus.wireProvider().name(), figures.up() ? "up, " + figures.members() + " servers"
                : "unreachable at " + wire.address() + (figures.error() == null ? "" : " (" + figures.error() + ")"));
        return figures.up() || !clusterBus.readinessRequiresWire();
    }

    static Map<String, Object> lines() {
        return new LinkedHashMap<>();
    }
}
