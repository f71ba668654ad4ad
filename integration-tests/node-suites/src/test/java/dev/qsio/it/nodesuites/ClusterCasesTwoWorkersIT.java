package dev.qsio.it.nodesuites;

/** The cluster packages' cases on one host with 2 workers. */
class ClusterCasesTwoWorkersIT extends ClusterCases {

    @Override
    ClusterLayout start() {
        return ClusterLayout.oneHost(2);
    }
}
