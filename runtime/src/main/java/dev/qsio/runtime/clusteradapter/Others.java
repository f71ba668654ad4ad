package dev.qsio.runtime.clusteradapter;

import java.util.Set;

/**
 * The other servers a request waits for: known by name where the wire knows its members (the local bus, the redis
 * bus's own membership), or only counted (Node's redis adapter counts the subscribers of a channel).
 *
 * @param members the member ids, or {@code null} when only counted
 * @param count how many
 */
public record Others(Set<String> members, int count) {

    public static Others named(Set<String> members) {
        return new Others(Set.copyOf(members), members.size());
    }

    public static Others counted(int count) {
        return new Others(null, Math.max(0, count));
    }

    public boolean none() {
        return count == 0;
    }
}
