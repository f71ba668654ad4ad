package dev.qsio.runtime.redis;

import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.qsio.runtime.adapter.IdentityLeases;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The leases of identities in Redis: a sorted set per identity ({@code <key>#identity#<name>}), each member a holder
 * scored with the time its lease expires, by Redis's clock (so that the hosts' clocks do not matter). Taking one is a
 * script that forgets the expired and counts the rest in one step, so two servers taking the last place at once cannot
 * both get it. The set itself expires a lease's length after its last write. One key per script: it works the same on
 * a Redis Cluster.
 */
final class RedisIdentityLeases implements IdentityLeases {

    private static final Logger LOG = Logger.getLogger(RedisIdentityLeases.class);

    /** Redis's time in ms, as a script's first lines. */
    private static final String NOW = "local t = redis.call('TIME') "
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /** KEYS[1] the identity's set; ARGV holder, max, lease ms: 1 when the holder has its lease, 0 at the cap. */
    private static final String ACQUIRE = NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
            + "if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) "
            + "then return 0 end "
            + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1";

    /** KEYS[1] the identity's set; ARGV lease ms, then the holders whose leases go on. */
    private static final String RENEW = NOW
            + "for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[1]) return #ARGV - 1";

    private final RedisChannels redis;
    private final String prefix;

    RedisIdentityLeases(RedisChannels redis, String key) {
        this.redis = redis;
        this.prefix = key + "#identity#";
    }

    @Override
    public Future<Boolean> acquire(String identity, String holder, int max, long leaseMs) {
        return redis.command(Request.cmd(Command.EVAL).arg(ACQUIRE).arg(1).arg(prefix + identity).arg(holder).arg(max)
                .arg(leaseMs)).map(r -> r != null && r.toInteger() == 1);
    }

    @Override
    public void release(String identity, String holder) {
        redis.command(Request.cmd(Command.ZREM).arg(prefix + identity).arg(holder))
                .onFailure(e -> LOG.debugf("releasing the lease of %s failed: %s", holder, e.getMessage()));
    }

    @Override
    public void renew(Map<String, Set<String>> held, long leaseMs) {
        held.forEach((identity, holders) -> {
            Request renew = Request.cmd(Command.EVAL).arg(RENEW).arg(1).arg(prefix + identity).arg(leaseMs);
            holders.forEach(renew::arg);
            redis.command(renew).onFailure(e -> LOG.debugf("renewing the leases of an identity failed: %s",
                    e.getMessage()));
        });
    }
}
