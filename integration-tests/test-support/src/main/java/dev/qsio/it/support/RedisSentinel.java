package dev.qsio.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * A Redis managed by Redis Sentinel, all real {@code redis-server} processes on free loopback ports: a master, one
 * replica, and three sentinels watching the master under {@link #MASTER_NAME} (quorum 2, the master judged down after
 * {@link #DOWN_AFTER_MILLIS}). {@link #killMaster()} kills the master as a crash would; {@link #awaitFailover} waits
 * until the sentinels name the replica. {@link #close()} stops every process.
 */
public final class RedisSentinel implements AutoCloseable {

    public static final String MASTER_NAME = "qsio-master";
    /** Short, so that a test's failover takes seconds. */
    public static final int DOWN_AFTER_MILLIS = 1000;

    private final RedisServer master;
    private final RedisServer replica;
    private final List<RedisServer> sentinels;

    private RedisSentinel(RedisServer master, RedisServer replica, List<RedisServer> sentinels) {
        this.master = master;
        this.replica = replica;
        this.sentinels = sentinels;
    }

    /** Starts the master, its replica and three sentinels, and waits until the sentinels know both. */
    public static RedisSentinel start(String name) {
        RedisServer master = RedisServer.startWith(name + "-master", "--repl-diskless-sync-delay", "0");
        RedisServer replica = RedisServer.startWith(name + "-replica", "--replicaof", "127.0.0.1",
                String.valueOf(master.port()));
        List<RedisServer> sentinels = new ArrayList<>();
        RedisSentinel all = new RedisSentinel(master, replica, sentinels);
        try {
            Path dir = Files.createDirectories(Path.of("target", "cluster-logs").toAbsolutePath()
                    .resolve("redis-sentinel-" + name + "-" + System.currentTimeMillis()));
            for (int i = 0; i < 3; i++) {
                // a sentinel rewrites its configuration file: each has its own
                Path conf = dir.resolve("sentinel-" + i + ".conf");
                Files.writeString(conf, "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2\n"
                        + "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS + "\n"
                        + "sentinel failover-timeout " + MASTER_NAME + " 5000\n");
                sentinels.add(RedisServer.startSentinel(name + "-sentinel-" + i, conf));
            }
        } catch (IOException | RuntimeException e) {
            all.close();
            throw new IllegalStateException("cannot start the sentinels: " + e.getMessage(), e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> sentinels.stream().allMatch(s -> s.command("SENTINEL", "REPLICAS", MASTER_NAME)
                        .startsWith("*1")));
        return all;
    }

    /** The URL for an application in sentinel mode: every sentinel, separated by commas. */
    public String sentinelUrls() {
        return sentinels.stream().map(RedisServer::url).collect(Collectors.joining(","));
    }

    public RedisServer master() {
        return master;
    }

    public RedisServer replica() {
        return replica;
    }

    /** Kills (SIGKILL) the master. */
    public void killMaster() {
        master.kill();
    }

    /** Waits until the sentinels name the replica as the master (at most 30 s). */
    public void awaitFailover() {
        String expected = String.valueOf(replica.port());
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .alias("the sentinels promote the replica on port " + expected)
                .until(() -> sentinels.stream().allMatch(s -> masterPortSeenBy(s).equals(expected)));
    }

    /** The master's port as a sentinel names it (redis-cli prints the host, then the port). */
    private static String masterPortSeenBy(RedisServer sentinel) {
        try {
            Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(sentinel.port()),
                    "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            String[] lines = out.split("\\s+");
            return lines.length == 2 ? lines[1] : "";
        } catch (IOException e) {
            throw new IllegalStateException("redis-cli failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Override
    public void close() {
        for (RedisServer s : sentinels) {
            s.close();
        }
        replica.close();
        master.close();
    }
}
