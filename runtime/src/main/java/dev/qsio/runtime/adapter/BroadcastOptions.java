package dev.qsio.runtime.adapter;

import java.util.Set;

import dev.qsio.runtime.protocol.Encoded;

/**
 * Which sockets of a namespace an operation targets, and how.
 *
 * @param rooms the rooms to reach; empty means every socket
 * @param except the rooms whose sockets are excluded
 * @param local whether the operation stays in this process
 * @param volatileFlag whether packets are dropped for clients that cannot take them at once
 * @param compress whether packets may be compressed (Node's {@code compress} flag; false never compresses)
 */
public record BroadcastOptions(Set<String> rooms, Set<String> except, boolean local, boolean volatileFlag,
        boolean compress) {

    /** Options that let packets be compressed, as without {@code compress(false)}. */
    public BroadcastOptions(Set<String> rooms, Set<String> except, boolean local, boolean volatileFlag) {
        this(rooms, except, local, volatileFlag, true);
    }

    public BroadcastOptions withRooms(Set<String> rooms) {
        return new BroadcastOptions(rooms, except, local, volatileFlag, compress);
    }

    public BroadcastOptions withExcept(Set<String> except) {
        return new BroadcastOptions(rooms, except, local, volatileFlag, compress);
    }

    public BroadcastOptions withLocal() {
        return new BroadcastOptions(rooms, except, true, volatileFlag, compress);
    }

    public BroadcastOptions withVolatile() {
        return new BroadcastOptions(rooms, except, local, true, compress);
    }

    public BroadcastOptions withCompress(boolean compress) {
        return new BroadcastOptions(rooms, except, local, volatileFlag, compress);
    }

    /** A packet as these options send it: marked never to be compressed with {@code compress(false)}. */
    public Encoded packet(Encoded packet) {
        return compress ? packet : packet.uncompressed();
    }

    public static final BroadcastOptions ALL = new BroadcastOptions(Set.of(), Set.of(), false, false);

    public static BroadcastOptions socket(String id) {
        return new BroadcastOptions(Set.of(id), Set.of(), false, false);
    }
}
