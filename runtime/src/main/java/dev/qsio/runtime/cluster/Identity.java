package dev.qsio.runtime.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.inject.Singleton;

import dev.qsio.ClusterInfo;

/**
 * This process's identity, read from the environment the primary gives its workers.
 */
@Singleton
public class Identity implements ClusterInfo {

    /** Set to {@code true} in every worker's environment. */
    public static final String ENV_WORKER = "CLUSTER_WORKER";
    /** The worker's id in its environment. */
    public static final String ENV_WORKER_ID = "CLUSTER_WORKER_ID";
    /** The node id the primary chose, in the worker's environment. */
    public static final String ENV_NODE_ID = "QSIO_NODE_ID";

    private final Role role;
    private final int workerId;
    private final String nodeId;

    public Identity() {
        boolean worker = "true".equals(System.getenv(ENV_WORKER));
        this.role = worker ? Role.WORKER : Role.SINGLE;
        this.workerId = worker ? Integer.parseInt(System.getenv().getOrDefault(ENV_WORKER_ID, "0")) : 0;
        String node = System.getenv(ENV_NODE_ID);
        this.nodeId = node != null ? node : hostName();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public int workerId() {
        return workerId;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }
}
