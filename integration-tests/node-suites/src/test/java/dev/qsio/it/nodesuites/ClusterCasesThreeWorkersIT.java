package dev.qsio.it.nodesuites;

/** The cluster packages' cases on one host with 3 workers. */
class ClusterCasesThreeWorkersIT extends ClusterCases {

    @Override
    ClusterLayout start() {
        return ClusterLayout.oneHost(3);
    }
}
