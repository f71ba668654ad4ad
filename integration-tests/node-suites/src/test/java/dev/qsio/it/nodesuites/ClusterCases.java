package dev.qsio.it.nodesuites;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * The cases of Node's cluster packages ({@code socket.io-cluster-adapter} and {@code socket.io-cluster-engine}) on one
 * layout of this module's packaged application: the layout starts once, and every case of the four files runs on it,
 * each file a nested class. A subclass says which layout: {@link ClusterCasesTwoWorkersIT},
 * {@link ClusterCasesThreeWorkersIT}, {@link ClusterCasesTwoHostsIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterCases {

    ClusterLayout layout;

    abstract ClusterLayout start();

    @BeforeAll
    void startLayout() {
        layout = start();
    }

    @AfterAll
    void stopLayout() {
        if (layout != null) {
            layout.close();
        }
    }

    @Nested
    class Adapter extends ClusterAdapterCases {
        @Override
        ClusterLayout layout() {
            return layout;
        }
    }

    @Nested
    class EngineInMemory extends ClusterEngineInMemoryCases {
        @Override
        ClusterLayout layout() {
            return layout;
        }
    }

    @Nested
    class EngineRedis extends ClusterEngineRedisCases {
        @Override
        ClusterLayout layout() {
            return layout;
        }
    }

    @Nested
    class EngineNodeCluster extends ClusterEngineNodeClusterCases {
        @Override
        ClusterLayout layout() {
            return layout;
        }
    }
}
