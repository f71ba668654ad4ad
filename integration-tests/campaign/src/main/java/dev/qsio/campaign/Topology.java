package dev.qsio.campaign;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.ClusterProcess.Placement;
import dev.qsio.it.support.Haproxy;
import dev.qsio.it.support.RedisCluster;
import dev.qsio.it.support.RedisServer;

/**
 * What the campaign runs: one Redis (or a Redis Cluster) in the core namespace, two hosts of two workers of the
 * features application, each in its own namespace, and HAProxy in front of them (round robin, no stickiness: the
 * documented configuration). A host that was killed is started again on the same ports, so that HAProxy finds it.
 */
final class Topology implements AutoCloseable {

    static final int WORKERS = 2;
    static final int HTTP_PORT = 8080;
    static final int MANAGEMENT_PORT = 9000;
    static final String CONTROL_TOKEN = "campaign";
    /**
     * How long a host may take to start: on a loaded 2-CPU machine a worker may miss its own start timeout (60 s) once
     * and be started again by its primary.
     */
    static final Duration START_BOUND = Duration.ofSeconds(300);

    final Lab lab;
    final Schedule.Variant variant;
    final Path jar;
    final List<String> hostNames;
    final RedisServer redis;
    final RedisCluster redisCluster;
    final List<String> jvmOptions;
    private final Map<String, ClusterProcess> hosts = new LinkedHashMap<>();
    private Haproxy haproxy;

    private Topology(Lab lab, Schedule.Variant variant, Path jar, List<String> hostNames, RedisServer redis,
            RedisCluster redisCluster, List<String> jvmOptions) {
        this.jvmOptions = jvmOptions;
        this.lab = lab;
        this.variant = variant;
        this.jar = jar;
        this.hostNames = hostNames;
        this.redis = redis;
        this.redisCluster = redisCluster;
    }

    static Topology start(Lab lab, Schedule.Variant variant, Path jar, List<String> hostNames, Path config,
            List<String> jvmOptions) {
        RedisServer redis = null;
        RedisCluster cluster = null;
        if (variant.cluster()) {
            cluster = RedisCluster.start("campaign", 3, 1, Lab.CORE_ADDRESS);
        } else {
            redis = RedisServer.startOn("campaign", Lab.CORE_ADDRESS);
        }
        Topology t = new Topology(lab, variant, jar, hostNames, redis, cluster, jvmOptions);
        try {
            for (String h : hostNames) {
                t.hosts.put(h, t.launch(h));
            }
            for (ClusterProcess host : t.hosts.values()) {
                host.awaitReady(WORKERS, START_BOUND);
            }
            List<ClusterProcess> all = new ArrayList<>(t.hosts.values());
            t.haproxy = Haproxy.start(config, all.get(0), all.get(1), "campaign");
            return t;
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    /** The application's configuration on a host: the documented many-hosts setup, and the server's defaults. */
    Map<String, String> properties(String host) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.socketio.bus", "redis");
        p.put("quarkus.socketio.redis.url", redisUrl());
        if (variant.cluster()) {
            p.put("quarkus.socketio.redis.mode", "cluster");
        }
        p.put("quarkus.socketio.cluster.node-id", "host-" + host);
        p.put("quarkus.socketio.connection-state-recovery.enabled", String.valueOf(variant.recovery));
        // the test application pings every 2 s; users run the defaults, which every client tolerates a pause within
        p.put("quarkus.socketio.ping-interval", "25s");
        p.put("quarkus.socketio.ping-timeout", "20s");
        p.put("quarkus.socketio.cluster.min-ready-workers", String.valueOf(WORKERS));
        // a worker that starts on a loaded 2-CPU machine (other builds beside the campaign) may take more than the
        // default minute; killing it then starts it again, just as slowly
        p.put("quarkus.socketio.cluster.start-timeout", "180s");
        p.put("quarkus.socketio.cluster.control.enabled", "true");
        p.put("quarkus.socketio.cluster.control.token", CONTROL_TOKEN);
        return p;
    }

    String redisUrl() {
        return variant.cluster() ? redisCluster.seeds() : redis.url();
    }

    /** The ports Redis listens on, which a partition between a host and Redis cuts. */
    List<Integer> redisPorts() {
        return variant.cluster() ? redisCluster.ports() : List.of(redis.port());
    }

    private ClusterProcess launch(String host) {
        Placement placement = new Placement(Lab.inside(lab.namespace(host)), lab.address(host));
        return ClusterProcess.launch(jar, WORKERS, properties(host), "campaign-" + host, HTTP_PORT, MANAGEMENT_PORT,
                jvmOptions, placement);
    }

    synchronized ClusterProcess host(String name) {
        return hosts.get(name);
    }

    synchronized List<ClusterProcess> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Starts a host again (after its primary was killed), once every process of its last run is gone. */
    void relaunch(String name) {
        ClusterProcess old = host(name);
        old.close();
        ClusterProcess fresh = launch(name);
        synchronized (this) {
            hosts.put(name, fresh);
        }
        fresh.awaitReady(WORKERS, START_BOUND);
    }

    /** The workers of a host as its primary lists them, or none when it does not answer. */
    static List<JsonNode> workers(ClusterProcess host) {
        try {
            return host.workers();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    String haproxyUrl() {
        return haproxy.url();
    }

    /** How long the whole cluster may take to be as before a fault, once it healed. */
    static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(120);
    /**
     * The same after a fault that starts JVMs again (a worker, a host, a rolling restart, a scale): a worker's start
     * timeout (180 s here) and a margin, since a loaded machine may take minutes to start one.
     */
    static final Duration RESTART_CONVERGENCE_BOUND = Duration.ofSeconds(300);

    static Duration convergenceBound(Schedule.Kind kind) {
        return switch (kind) {
            case KILL_WORKER, KILL_PRIMARY, KILL_HOST, ROLLING_RESTART, SCALE -> RESTART_CONVERGENCE_BOUND;
            default -> CONVERGENCE_BOUND;
        };
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (ClusterProcess host : hosts()) {
            host.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (redisCluster != null) {
            redisCluster.close();
        }
    }
}
