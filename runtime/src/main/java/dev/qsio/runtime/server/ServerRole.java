package dev.qsio.runtime.server;

/**
 * What this process's server is in a cluster, as the views that see the server alone (the Admin UI) ask it: the
 * cluster's process roles answer it ({@code cluster.ProcessRole}).
 */
public interface ServerRole {

    /** Whether this process serves Socket.IO clients itself (the primary of a cluster serves none). */
    boolean servesSockets();

    /** This server's id where servers are told apart (the Admin UI), unless the configuration names one. */
    String serverId();
}
