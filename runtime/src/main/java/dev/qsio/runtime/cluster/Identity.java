package dev.qsio.runtime.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

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
        Config config = ConfigProvider.getConfig();
        this.role = Roles.decide(key -> config.getOptionalValue(key, String.class).orElse(null));
        this.workerId = switch (role) {
            case WORKER -> Integer.parseInt(System.getenv().getOrDefault(ENV_WORKER_ID, "0"));
            case PRIMARY -> -1;
            case SINGLE -> 0;
        };
        String node = System.getenv(ENV_NODE_ID);
        if (node == null) {
            node = config.getOptionalValue("quarkus.socketio.cluster.node-id", String.class).orElseGet(Identity::hostName);
        }
        this.nodeId = node;
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
