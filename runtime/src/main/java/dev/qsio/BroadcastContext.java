package dev.qsio;

import java.util.Set;

/**
 * Where a broadcast received by an {@link OnBroadcast} method came from.
 *
 * @param namespace the namespace of the broadcast
 * @param rooms the rooms it was sent to (empty: all sockets)
 * @param except the rooms it excluded
 * @param serverSide whether it was a {@code serverSideEmit} (to servers only) rather than a broadcast to clients
 * @param originWorker the worker id of the sender ({@code 0} when not clustered)
 * @param originNode the node (host) id of the sender
 * @param local whether it was sent by this process
 */
public record BroadcastContext(String namespace, Set<String> rooms, Set<String> except, boolean serverSide,
        int originWorker, String originNode, boolean local) {
}
