package dev.qsio.runtime.cluster;

import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.qsio.ClusterInfo;

/** A worker of a cluster: its primary started it, supervises it and gives it its connections. */
final class WorkerProcess implements ProcessRole {

    /** Micrometer's logger of meter registrations, held so that the level set on it stays. */
    private static java.util.logging.Logger meterRegistryLog;

    private final ClusterInfo identity;
    private final ClusterBus clusterBus;
    private final Worker worker;

    WorkerProcess(ClusterInfo identity, ClusterBus clusterBus, Worker worker) {
        this.identity = identity;
        this.clusterBus = clusterBus;
        this.worker = worker;
    }

    @Override
    public ClusterInfo.Role role() {
        return ClusterInfo.Role.WORKER;
    }

    @Override
    public void bootstrap() {
        quietDuplicateServerGauge();
        // the primary stays this worker's supervisor (CONTROL on the local link); with a wire between hosts, the other
        // servers, on this host and elsewhere, are reached through it
        clusterBus.connectWire();
        worker.start();
    }

    /**
     * A worker's two HTTP servers, the application's and the management interface's, both listen on a port the kernel
     * picks (port 0). Quarkus tags its server meters with the configured port only when one is set, so both servers
     * register the same {@code http.server.active.connections} gauge: Micrometer keeps the first (the application's
     * server, which binds first) and warns about the second at every start, a warning nobody can act on. In a worker,
     * Micrometer's registry logs at ERROR only, unless the application sets that logger's level itself. (Runs after
     * Quarkus has set its log levels up, which would undo it.)
     */
    private static void quietDuplicateServerGauge() {
        String name = "io.micrometer.core.instrument.MeterRegistry";
        // Quarkus' default for a category is "inherit": the application did not set it
        if (ConfigProvider.getConfig().getOptionalValue("quarkus.log.category.\"" + name + "\".level", String.class)
                .filter(level -> !level.equalsIgnoreCase("inherit")).isEmpty()) {
            meterRegistryLog = java.util.logging.Logger.getLogger(name);
            meterRegistryLog.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    @Override
    public void listening() {
        worker.listening();
    }

    @Override
    public void stopping() {
        worker.drain();
    }

    @Override
    public void stopped() {
        worker.close();
    }

    @Override
    public Readiness readiness() {
        Map<String, Object> data = ProcessRole.lines();
        data.put("worker", identity.workerId());
        boolean up = worker.ready() && ProcessRole.wireUp(clusterBus, data);
        return new Readiness(up, data);
    }

    @Override
    public String serverId() {
        return identity.nodeId() + "#" + identity.pid();
    }

    @Override
    public Map<Integer, Supplier<Figures>> servers() {
        return Map.of(identity.workerId(), worker::localFigures);
    }

    @Override
    public Figures localFigures() {
        return worker.localFigures();
    }
}
