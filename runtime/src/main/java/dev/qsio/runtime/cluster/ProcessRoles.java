package dev.qsio.runtime.cluster;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.engine.EngineEndpoints;

/** Chooses this process's {@link ProcessRole} once, at startup. */
@Singleton
public class ProcessRoles {

    @Produces
    @Singleton
    ProcessRole role(ClusterInfo identity, ClusterBus clusterBus, ClusterConfig config, Primary primary, Worker worker,
            EngineEndpoints engines, SessionStore sessionStore) {
        return switch (identity.role()) {
            case PRIMARY -> new PrimaryProcess(identity, clusterBus, config, primary, worker);
            case WORKER -> new WorkerProcess(identity, clusterBus, worker);
            case SINGLE -> new SingleProcess(identity, clusterBus, engines, worker, sessionStore);
        };
    }
}
