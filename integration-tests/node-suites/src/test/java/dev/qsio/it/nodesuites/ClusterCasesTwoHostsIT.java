package dev.qsio.it.nodesuites;

/** The cluster packages' cases on two hosts joined over Redis: host A with 2 workers, host B with 1. */
class ClusterCasesTwoHostsIT extends ClusterCases {

    @Override
    ClusterLayout start() {
        return ClusterLayout.twoHosts();
    }
}
