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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * One server's connections to a single Redis server ({@code quarkus.socketio.redis.mode=standalone}): one to publish
 * and send commands, one subscribed, with Redis' classic pub/sub.
 * <p>
 * When Redis goes away, nothing is published (and what would have been is counted as dropped), and it reconnects
 * with a doubling delay; on its return the subscriptions are made again. Subscriptions are kept across
 * reconnections.
 */
public final class StandaloneRedisChannels extends RedisChannelsBase {

    private static final Logger LOG = Logger.getLogger(StandaloneRedisChannels.class);

    private final Vertx vertx;
    private final RedisConfig config;
    private final Map<String, BiConsumer<String, Buffer>> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<String, Buffer>> patterns = new ConcurrentHashMap<>();

    /** The client of the publishing connection; the subscribed one has its own (each is one metered client). */
    private volatile Redis client;
    private volatile Redis subClient;
    private volatile RedisConnection sub;

    /** Checks the configuration; fails with a message naming the key when the URL is not usable. */
    public StandaloneRedisChannels(Vertx vertx, RedisConfig config) {
        super(checked(config).mode() == RedisConfig.Mode.SENTINEL ? "Redis (through its sentinels)" : "Redis", vertx);
        this.vertx = vertx;
        this.config = config;
    }

    /** The configuration, once its URL is known usable; fails with a message naming the key otherwise. */
    static RedisConfig checked(RedisConfig config) {
        if (config.url().contains(",") && config.mode() != RedisConfig.Mode.SENTINEL) {
            throw new IllegalArgumentException("quarkus.socketio.redis.url names several servers (" + config.url()
                    + "): that is a Redis Cluster's form, with quarkus.socketio.redis.mode=cluster");
        }
        options(config);
        return config;
    }

    /** The URL shown in logs and health data: the configured one without credentials. */
    @Override
    public String displayUrl() {
        return Arrays.stream(config.url().split(",")).map(StandaloneRedisChannels::display)
                .collect(Collectors.joining(","))
                + (config.mode() == RedisConfig.Mode.SENTINEL ? " (master " + config.masterName() + ")" : "");
    }

    /** A URL without its credentials. */
    static String display(String url) {
        try {
            URI u = URI.create(url.trim());
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                    + (u.getPath() == null ? "" : u.getPath());
        } catch (IllegalArgumentException e) {
            return "(invalid URL)";
        }
    }

    /** A Redis URL, checked; fails with a message naming the key when it is not usable. */
    static URI uri(String url) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quarkus.socketio.redis.url is not a URL: " + e.getMessage());
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("quarkus.socketio.redis.url must start with redis:// or rediss://, got "
                    + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("quarkus.socketio.redis.url has no host: " + url);
        }
        return uri;
    }

    /** The client options for a configuration; fails with a message naming the key when the URL is not usable. */
    static RedisOptions options(RedisConfig config) {
        if (config.mode() != RedisConfig.Mode.SENTINEL) {
            return options(config, config.url());
        }
        // the sentinels are asked for the master of the name at each connection, so a reconnection after a failover
        // reaches the promoted replica
        List<String> sentinels = Arrays.stream(config.url().split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .toList();
        if (sentinels.isEmpty()) {
            throw new IllegalArgumentException("quarkus.socketio.redis.url names no sentinel");
        }
        for (String sentinel : sentinels) {
            uri(sentinel);
        }
        return options(config, sentinels.get(0)).setType(RedisClientType.SENTINEL).setEndpoints(new ArrayList<>(sentinels))
                .setMasterName(config.masterName()).setRole(RedisRole.MASTER);
    }

    /** The client options for one server of a configuration (the configured one, or a node of a cluster). */
    static RedisOptions options(RedisConfig config, String endpoint) {
        URI uri = uri(endpoint);
        String url = endpoint;
        if (config.database().isPresent()) {
            String auth = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
            url = uri.getScheme() + "://" + auth + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/"
                    + config.database().getAsInt();
        }
        RedisOptions options = new RedisOptions().setConnectionString(url).setMaxPoolSize(4).setMaxWaitingHandlers(100_000);
        config.password().ifPresent(options::setPassword);
        if ("rediss".equals(uri.getScheme())) {
            NetClientOptions net = new NetClientOptions().setSsl(true).setTcpNoDelay(true);
            if (config.tls().trustAll()) {
                net.setTrustAll(true).setHostnameVerificationAlgorithm("");
            } else {
                net.setHostnameVerificationAlgorithm("HTTPS");
            }
            config.tls().trustCertificatePem().ifPresent(p -> net.setTrustOptions(new PemTrustOptions().addCertPath(p)));
            options.setNetClientOptions(net);
        } else {
            options.setNetClientOptions(new NetClientOptions().setTcpNoDelay(true));
        }
        return options;
    }

    /**
     * Connects. The future completes when both connections are up and subscribed, or fails with the first error;
     * either way the connections are retried in the background until {@link #close()}.
     */
    @Override
    public Future<Void> start() {
        Promise<Void> first = Promise.promise();
        connect(first);
        return first.future();
    }

    private void connect(Promise<Void> first) {
        if (link.isClosed()) {
            return;
        }
        Redis c = Redis.createClient(vertx, options(config).setMetricsName("socketio-bus-publish"));
        Redis sc = Redis.createClient(vertx, options(config).setMetricsName("socketio-bus-subscribe"));
        link.attempting();
        client = c;
        subClient = sc;
        c.connect().compose(p -> {
            pub = p;
            p.exceptionHandler(e -> lost(c, e.getMessage()));
            p.endHandler(v -> lost(c, "connection closed"));
            // a user whose ACL forbids INFO skips the check rather than never connecting
            return p.send(Request.cmd(Command.INFO).arg("cluster")).recover(e -> Future.succeededFuture(null));
        }).compose(info -> {
            if (info != null && info.toString().contains("cluster_enabled:1")) {
                // classic pub/sub would still work, but would send every message to every node of the cluster
                return Future.failedFuture(new RedisMisconfiguration("quarkus.socketio.redis.mode", "Redis at "
                        + displayUrl() + " is a node of a Redis Cluster: set quarkus.socketio.redis.mode=cluster (with "
                        + "the cluster's nodes in quarkus.socketio.redis.url) to use it with sharded pub/sub"));
            }
            return sc.connect();
        }).compose(s -> {
            sub = s;
            s.handler(this::onPush);
            s.exceptionHandler(e -> lost(c, e.getMessage()));
            s.endHandler(v -> lost(c, "connection closed"));
            return subscribeAll(s);
        }).onSuccess(v -> {
            if (client != c || link.isClosed()) {
                return;
            }
            wentUp("");
            if (first != null) {
                first.tryComplete();
            }
        }).onFailure(e -> {
            if (!failed(e, first)) {
                lost(c, e.getMessage());
            }
        });
    }

    private Future<Void> subscribeAll(RedisConnection s) {
        Future<Response> f = Future.succeededFuture();
        if (!subscriptions.isEmpty()) {
            Request subscribe = Request.cmd(Command.SUBSCRIBE);
            subscriptions.keySet().forEach(subscribe::arg);
            f = s.send(subscribe);
        }
        if (!patterns.isEmpty()) {
            Request psubscribe = Request.cmd(Command.PSUBSCRIBE);
            patterns.keySet().forEach(psubscribe::arg);
            f = f.compose(r -> s.send(psubscribe));
        }
        return f.mapEmpty();
    }

    private synchronized void lost(Redis c, String reason) {
        if (client != c || link.isClosed()) {
            return;
        }
        client = null;
        // at once, what they have not sent discarded: a stale publish must not reach Redis after the reconnection's
        RedisConnection p = pub;
        RedisConnection s = sub;
        pub = null;
        sub = null;
        if (p != null) {
            FrameworkInternals.abort(p);
        }
        if (s != null) {
            FrameworkInternals.abort(s);
        }
        c.close();
        Redis sc = subClient;
        if (sc != null) {
            sc.close();
        }
        long max = config.reconnectDelayMax().toMillis();
        // a failover the sentinels run ends within seconds: at most 1 s between tries then
        long delay = wentDown(reason, config.mode() == RedisConfig.Mode.SENTINEL ? Math.min(1000, max) : max);
        vertx.setTimer(delay, t -> connect(null));
    }

    @Override
    public void unresponsive(String reason) {
        Redis c = client;
        if (c != null) {
            lost(c, reason);
        }
    }

    private void onPush(Response push) {
        if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
            return;
        }
        String kind = push.get(0).toString();
        if ("message".equals(kind)) {
            String channel = push.get(1).toString();
            BiConsumer<String, Buffer> h = subscriptions.get(channel);
            if (h != null) {
                deliver(h, channel, push.get(2).toBuffer());
            }
        } else if ("pmessage".equals(kind)) {
            BiConsumer<String, Buffer> h = patterns.get(push.get(1).toString());
            if (h != null) {
                deliver(h, push.get(2).toString(), push.get(3).toBuffer());
            }
        }
    }

    private static void deliver(BiConsumer<String, Buffer> handler, String channel, Buffer payload) {
        try {
            handler.accept(channel, payload);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Socket.IO bus: the receiver of channel %s failed", channel);
        }
    }

    /** Publishes on a Redis channel; dropped (and counted) while Redis is out of reach. */
    @Override
    protected Command publishCommand() {
        return Command.PUBLISH;
    }

    @Override
    public Redis newClient(String metricsName) {
        return Redis.createClient(vertx, options(config).setMetricsName(metricsName));
    }

    @Override
    public boolean sharded() {
        return false;
    }

    @Override
    public Future<Integer> subscribers(String channel) {
        return command(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel))
                .map(r -> r.size() >= 2 ? r.get(1).toInteger() : 0);
    }

    /** Receives the messages of a channel, as {@code (channel, payload)}; kept across reconnections. */
    @Override
    public void subscribe(String channel, BiConsumer<String, Buffer> handler) {
        if (subscriptions.put(channel, handler) == null && link.isUp() && sub != null) {
            sub.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
        }
    }

    /** Receives the messages of the channels matching a glob pattern; kept across reconnections. */
    @Override
    public void psubscribe(String pattern, BiConsumer<String, Buffer> handler) {
        if (patterns.put(pattern, handler) == null && link.isUp() && sub != null) {
            sub.send(Request.cmd(Command.PSUBSCRIBE).arg(pattern));
        }
    }

    @Override
    public void unsubscribe(String channel) {
        if (subscriptions.remove(channel) != null && link.isUp() && sub != null) {
            sub.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel));
        }
    }

    @Override
    public void punsubscribe(String pattern) {
        if (patterns.remove(pattern) != null && link.isUp() && sub != null) {
            sub.send(Request.cmd(Command.PUNSUBSCRIBE).arg(pattern));
        }
    }

    /** Closes the connections, after what was already published has gone out. */
    @Override
    public void close() {
        link.close();
        Redis c = client;
        client = null;
        Redis sc = subClient;
        if (sc != null) {
            sc.close();
        }
        if (c != null) {
            RedisConnection p = pub;
            if (p != null) {
                afterWhatWasSent(p, Request.cmd(Command.PING)).onComplete(ar -> c.close());
            } else {
                c.close();
            }
        }
    }
}
