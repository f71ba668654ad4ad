package dev.qsio.runtime.redis;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.qsio.runtime.internals.FrameworkInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * One server's channels on a Redis Cluster ({@code quarkus.socketio.redis.mode=cluster}), with sharded pub/sub: a
 * channel lives on the master that owns its hash slot, so a message reaches only the nodes of that shard instead of
 * every node of the cluster (classic pub/sub), which is what lets a fleet grow with its Redis Cluster.
 * <p>
 * Publications and commands go through one cluster connection of vertx-redis-client, which routes each by its key
 * (the channel, for {@code SPUBLISH}) and follows redirections. Subscriptions are this class's own: the cluster's
 * slot map ({@code CLUSTER SLOTS}) tells which master owns each channel, and one subscribed connection per master
 * carries that master's channels ({@code SSUBSCRIBE}, one channel per command as Redis requires for channels of
 * different slots).
 * <p>
 * When a master goes away or a slot moves (its connection ends, or Redis tells a subscriber its channel moved), the
 * channels are down until the cluster answers again: the slot map is read anew and every channel subscribed again
 * where it lives now (a replica promoted in the dead master's place), with a doubling delay between attempts. What
 * was published meanwhile is dropped and counted, as on one server.
 */
public final class ShardedRedisChannels extends RedisChannelsBase {

    private static final Logger LOG = Logger.getLogger(ShardedRedisChannels.class);
    private static final int SLOTS = 16384;

    private final Vertx vertx;
    private final Context context;
    private final RedisConfig config;
    private final List<String> seeds;
    private final URI template;
    private final Map<String, BiConsumer<String, Buffer>> subscriptions = new ConcurrentHashMap<>();

    /** The masters' endpoints by slot; from the cluster's slot map. */
    private volatile String[] owners = new String[SLOTS];
    /** The subscribed connection (and a client for commands) to each master that holds some of our channels. */
    private final Map<String, Shard> shards = new ConcurrentHashMap<>();
    private volatile Redis cluster;
    /** Which attempt the connections belong to: callbacks of an earlier one are ignored. */
    private volatile long generation;

    /** One master's connections: a subscribed one, and a client for commands that must run on that node. */
    private static final class Shard {
        final String endpoint;
        final Redis client;
        final Future<RedisConnection> subscriber;
        /**
         * The channels this server asked the master to unsubscribe and whose confirmation has not come yet, with how
         * many requests wait: Redis confirms each with a {@code sunsubscribe} push, the same push it sends when a
         * channel's slot moves away.
         */
        final Map<String, Integer> unsubscribing;

        Shard(String endpoint, Redis client, Future<RedisConnection> subscriber, Map<String, Integer> unsubscribing) {
            this.endpoint = endpoint;
            this.client = client;
            this.subscriber = subscriber;
            this.unsubscribing = unsubscribing;
        }
    }

    /** The nodes a configuration names; fails with a message naming the key when one is not usable. */
    static List<String> check(RedisConfig config) {
        List<String> seeds = Arrays.stream(config.url().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("quarkus.socketio.redis.url names no node of the Redis Cluster");
        }
        if (config.database().isPresent() && config.database().getAsInt() != 0) {
            throw new IllegalArgumentException("quarkus.socketio.redis.database must be 0 (or unset) with "
                    + "quarkus.socketio.redis.mode=cluster: a Redis Cluster has database 0 only");
        }
        for (String seed : seeds) {
            StandaloneRedisChannels.options(config, seed);
        }
        return seeds;
    }

    /** Checks the configuration; fails with a message naming the key when a node's URL is not usable. */
    public ShardedRedisChannels(Vertx vertx, RedisConfig config) {
        super("the Redis Cluster", vertx);
        this.vertx = vertx;
        this.context = writes();
        this.config = config;
        this.seeds = check(config);
        this.template = StandaloneRedisChannels.uri(seeds.get(0));
    }

    @Override
    public String displayUrl() {
        return seeds.stream().map(StandaloneRedisChannels::display).collect(Collectors.joining(","));
    }

    /** The options of the cluster client: every seed, the credentials and TLS of the configuration. */
    private RedisOptions clusterOptions() {
        RedisOptions options = StandaloneRedisChannels.options(config, seeds.get(0)).setType(RedisClientType.CLUSTER)
                .setEndpoints(new ArrayList<>(seeds));
        // the pooled connections carry commands only; subscriptions have their own
        return options.setMaxPoolSize(8).setMetricsName("socketio-bus-publish");
    }

    /** The URL of a node named by the cluster, with the scheme and credentials of the configured seeds. */
    private String endpoint(String host, int port) {
        String auth = template.getRawUserInfo() == null ? "" : template.getRawUserInfo() + "@";
        return template.getScheme() + "://" + auth + host + ":" + port;
    }

    /** The hash slot of a key or channel (the part between the first braces, when there is one). */
    static int slot(String channel) {
        return FrameworkInternals.redisSlot(channel);
    }

    @Override
    public Future<Void> start() {
        Promise<Void> first = Promise.promise();
        context.runOnContext(v -> connect(first));
        return first.future();
    }

    private void connect(Promise<Void> first) {
        if (link.isClosed()) {
            return;
        }
        long gen = ++generation;
        Redis c = Redis.createClient(vertx, clusterOptions());
        link.attempting();
        cluster = c;
        c.connect().recover(e -> Future.failedFuture(translate(e, first != null))).compose(p -> {
            pub = p;
            p.exceptionHandler(e -> lost(gen, e.getMessage()));
            p.endHandler(v -> lost(gen, "connection closed"));
            return p.send(Request.cmd(Command.CLUSTER).arg("SLOTS"));
        }).compose(slots -> {
            owners = owners(slots);
            return subscribeAll(gen);
        }).onComplete(ar -> context.runOnContext(v -> {
            if (gen != generation || link.isClosed()) {
                return;
            }
            if (ar.succeeded()) {
                wentUp(" (" + Arrays.stream(owners).distinct().count() + " masters)");
                if (first != null) {
                    first.tryComplete();
                }
                return;
            }
            if (!failed(ar.cause(), first)) {
                lost(gen, ar.cause().getMessage());
            }
        }));
    }

    /** A first failure that retrying cannot mend, said in the configuration's terms; others as they are. */
    private Throwable translate(Throwable e, boolean atStart) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("cluster support disabled")) {
            return new RedisMisconfiguration("quarkus.socketio.redis.mode", "Redis at " + displayUrl()
                    + " is not a Redis Cluster (it has cluster support disabled): set quarkus.socketio.redis.mode="
                    + "standalone, or name the nodes of a cluster in quarkus.socketio.redis.url");
        }
        if (atStart) {
            return new RedisMisconfiguration("quarkus.socketio.redis.url", "none of the Redis Cluster nodes in "
                    + "quarkus.socketio.redis.url answers (" + displayUrl() + "): " + message);
        }
        return e;
    }

    /** The master endpoint of every slot, from a {@code CLUSTER SLOTS} answer. */
    private String[] owners(Response slots) {
        String[] map = new String[SLOTS];
        for (int i = 0; i < slots.size(); i++) {
            Response range = slots.get(i);
            int from = range.get(0).toInteger();
            int to = range.get(1).toInteger();
            Response master = range.get(2);
            String host = master.get(0).toString();
            if (host.isEmpty() || "?".equals(host)) {
                // a node that does not know its own address: the one we asked (first seed) is the best guess
                host = template.getHost();
            }
            String endpoint = endpoint(host, master.get(1).toInteger());
            Arrays.fill(map, from, to + 1, endpoint);
        }
        return map;
    }

    private String ownerOf(String channel) {
        return owners[slot(channel)];
    }

    private Future<Void> subscribeAll(long gen) {
        List<Future<?>> all = new ArrayList<>();
        for (String channel : subscriptions.keySet()) {
            all.add(ssubscribe(gen, channel));
        }
        return Future.all(all).mapEmpty();
    }

    /** Subscribes to one channel on the master that owns it, connecting to that master first when needed. */
    private Future<Response> ssubscribe(long gen, String channel) {
        String endpoint = ownerOf(channel);
        if (endpoint == null) {
            return Future.failedFuture("no master serves the slot of channel " + channel + " (the cluster is not ok)");
        }
        return shard(gen, endpoint).subscriber.compose(s -> s.send(Request.cmd(Command.SSUBSCRIBE).arg(channel)));
    }

    private Shard shard(long gen, String endpoint) {
        return shards.computeIfAbsent(endpoint, e -> {
            Redis client = Redis.createClient(vertx, StandaloneRedisChannels.options(config, e)
                    .setMetricsName("socketio-bus-subscribe"));
            Map<String, Integer> unsubscribing = new ConcurrentHashMap<>();
            Future<RedisConnection> subscriber = client.connect().onSuccess(s -> {
                s.handler(push -> onPush(push, unsubscribing));
                s.exceptionHandler(x -> lost(gen, e + ": " + x.getMessage()));
                s.endHandler(v -> lost(gen, e + ": connection closed"));
            });
            subscriber.onFailure(x -> lost(gen, e + ": " + x.getMessage()));
            return new Shard(e, client, subscriber, unsubscribing);
        });
    }

    @Override
    public void unresponsive(String reason) {
        context.runOnContext(v -> {
            if (cluster != null) {
                lost(generation, reason);
            }
        });
    }

    private void lost(long gen, String reason) {
        context.runOnContext(v -> {
            if (gen != generation || link.isClosed()) {
                return;
            }
            // a newer attempt takes over; this one's callbacks are ignored from now on
            generation++;
            closeConnections(true);
            // a failover ends within seconds (the cluster's node timeout and an election): at most 1 s between tries
            long delay = wentDown(reason, Math.min(1000, config.reconnectDelayMax().toMillis()));
            vertx.setTimer(delay, t -> context.runOnContext(x -> connect(null)));
        });
    }

    /**
     * Closes the connections; given up on ({@code abort}), at once, what they have not sent discarded: a stale
     * publication must not reach a master after those of the reconnection.
     */
    private void closeConnections(boolean abort) {
        Redis c = cluster;
        RedisConnection p = pub;
        cluster = null;
        pub = null;
        if (abort && p != null) {
            FrameworkInternals.abort(p);
        }
        if (c != null) {
            c.close();
        }
        for (Shard shard : shards.values()) {
            if (abort && shard.subscriber.succeeded()) {
                FrameworkInternals.abort(shard.subscriber.result());
            }
            shard.client.close();
        }
        shards.clear();
    }

    private void onPush(Response push, Map<String, Integer> unsubscribing) {
        if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
            return;
        }
        String kind = push.get(0).toString();
        if ("smessage".equals(kind)) {
            String channel = push.get(1).toString();
            BiConsumer<String, Buffer> h = subscriptions.get(channel);
            if (h != null) {
                try {
                    h.accept(channel, push.get(2).toBuffer());
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Socket.IO bus: the receiver of channel %s failed", channel);
                }
            }
        } else if ("sunsubscribe".equals(kind) && push.size() > 1 && push.get(1) != null) {
            String channel = push.get(1).toString();
            boolean[] asked = { false };
            unsubscribing.computeIfPresent(channel, (c, waiting) -> {
                asked[0] = true;
                return waiting == 1 ? null : waiting - 1;
            });
            // the confirmation of an unsubscription of ours is not a move, even when the channel was subscribed to
            // again meanwhile (a room that emptied and filled up within a round trip)
            if (!asked[0] && subscriptions.containsKey(channel)) {
                // not asked for: Redis says the channel's slot moved to another node
                lost(generation, "the slot of channel " + channel + " moved");
            }
        }
    }

    @Override
    protected Command publishCommand() {
        return Command.SPUBLISH;
    }

    @Override
    public Redis newClient(String metricsName) {
        return Redis.createClient(vertx, clusterOptions().setMetricsName(metricsName));
    }

    @Override
    public boolean sharded() {
        return true;
    }

    @Override
    public void subscribe(String channel, BiConsumer<String, Buffer> handler) {
        if (subscriptions.put(channel, handler) == null) {
            context.runOnContext(v -> {
                long gen = generation;
                if (link.isUp() && subscriptions.containsKey(channel)) {
                    ssubscribe(gen, channel).onFailure(e -> lost(gen, "cannot subscribe to " + channel + ": "
                            + e.getMessage()));
                }
            });
        }
    }

    @Override
    public void psubscribe(String pattern, BiConsumer<String, Buffer> handler) {
        throw new UnsupportedOperationException("sharded pub/sub has no pattern subscriptions");
    }

    @Override
    public void unsubscribe(String channel) {
        if (subscriptions.remove(channel) != null) {
            context.runOnContext(v -> {
                Shard shard = link.isUp() ? shards.get(ownerOf(channel)) : null;
                if (shard != null && !subscriptions.containsKey(channel)) {
                    shard.unsubscribing.merge(channel, 1, Integer::sum);
                    shard.subscriber.compose(s -> s.send(Request.cmd(Command.SUNSUBSCRIBE).arg(channel)));
                }
            });
        }
    }

    @Override
    public void punsubscribe(String pattern) {
        throw new UnsupportedOperationException("sharded pub/sub has no pattern subscriptions");
    }

    /** {@code PUBSUB SHARDNUMSUB} on the master that owns the channel: only that node knows its subscribers. */
    @Override
    public Future<Integer> subscribers(String channel) {
        if (!link.isUp()) {
            return Future.failedFuture(whyDown());
        }
        String endpoint = ownerOf(channel);
        Shard shard = endpoint == null ? null : shard(generation, endpoint);
        if (shard == null) {
            return Future.failedFuture("no master serves the slot of channel " + channel);
        }
        return shard.client.send(Request.cmd(Command.PUBSUB).arg("SHARDNUMSUB").arg(channel))
                .map(r -> r.size() >= 2 ? r.get(1).toInteger() : 0);
    }

    @Override
    public void close() {
        link.close();
        RedisConnection p = pub;
        Redis c = cluster;
        if (p != null && c != null) {
            // what was published goes out first
            afterWhatWasSent(p, Request.cmd(Command.PING)).onComplete(ar -> context.runOnContext(v -> closeConnections(false)));
        } else {
            context.runOnContext(v -> closeConnections(false));
        }
    }
}
