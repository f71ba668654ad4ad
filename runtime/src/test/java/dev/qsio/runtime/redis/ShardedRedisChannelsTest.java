package dev.qsio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where a sharded channel lives: the hash slot Redis Cluster gives it (values from {@code CLUSTER KEYSLOT}). */
class ShardedRedisChannelsTest {

    @Test
    void channelsAreHashedAsRedisClusterHashesKeys() {
        assertThat(ShardedRedisChannels.slot("foo")).isEqualTo(12182);
        assertThat(ShardedRedisChannels.slot("bar")).isEqualTo(5061);
        // Node's sharded adapter's main channel
        assertThat(ShardedRedisChannels.slot("socket.io#/#")).isEqualTo(13868);
        // only the part between the first braces counts
        assertThat(ShardedRedisChannels.slot("{user1000}.following")).isEqualTo(3443)
                .isEqualTo(ShardedRedisChannels.slot("{user1000}.followers"));
    }
}
