package dev.qsio.runtime.adapter;

import java.util.Set;

/**
 * Which sockets of a namespace an operation targets, and how.
 *
 * @param rooms the rooms to reach; empty means every socket
 * @param except the rooms whose sockets are excluded
 * @param local whether the operation stays in this process
 * @param volatileFlag whether packets are dropped for clients that cannot take them at once
 */
public record BroadcastOptions(Set<String> rooms, Set<String> except, boolean local, boolean volatileFlag) {

    public static final BroadcastOptions ALL = new BroadcastOptions(Set.of(), Set.of(), false, false);

    public static BroadcastOptions socket(String id) {
        return new BroadcastOptions(Set.of(id), Set.of(), false, false);
    }
}
