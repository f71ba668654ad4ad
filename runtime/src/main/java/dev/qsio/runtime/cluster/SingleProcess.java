package dev.qsio.runtime.cluster;

import java.util.Map;
import java.util.function.Supplier;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.adapter.InMemorySessionStore;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.engine.EngineEndpoints;

/** One server in its process: no primary, no workers; with a wire between hosts, one server of many. */
final class SingleProcess implements ProcessRole {

    private final ClusterInfo identity;
    private final ClusterBus clusterBus;
    private final EngineEndpoints engines;
    private final Worker self;
    private final SessionStore sessionStore;

    SingleProcess(ClusterInfo identity, ClusterBus clusterBus, EngineEndpoints engines, Worker self,
            SessionStore sessionStore) {
        this.identity = identity;
        this.clusterBus = clusterBus;
        this.engines = engines;
        this.self = self;
        this.sessionStore = sessionStore;
    }

    @Override
    public ClusterInfo.Role role() {
        return ClusterInfo.Role.SINGLE;
    }

    @Override
    public void bootstrap() {
        clusterBus.connectWire();
    }

    @Override
    public Readiness readiness() {
        Map<String, Object> data = ProcessRole.lines();
        boolean up = engines.accepting() && ProcessRole.wireUp(clusterBus, data);
        return new Readiness(up, data);
    }

    @Override
    public String serverId() {
        return identity.nodeId();
    }

    @Override
    public Map<Integer, Supplier<Figures>> servers() {
        return Map.of(identity.workerId(), self::localFigures);
    }

    @Override
    public Supplier<InMemorySessionStore> recoveryStore() {
        return sessionStore instanceof InMemorySessionStore s ? () -> s : null;
    }

    @Override
    public Figures localFigures() {
        return self.localFigures();
    }
}
