package dev.qsio.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Node socket.io 4.x server with {@code @socket.io/redis-adapter} on a free loopback port, sharing a Redis with
 * Quarkus servers: its classic adapter on one Redis ({@code clients/node-redis-server.mjs}, {@link #start}) or its
 * sharded adapter on a Redis Cluster ({@code clients/node-sharded-server.mjs}, {@link #startSharded}), or
 * {@code @socket.io/redis-streams-adapter} ({@code clients/node-streams-server.mjs}, {@link #startStreams}). All offer
 * the same events. The same launcher starts the Node servers on {@code @socket.io/postgres-adapter}
 * ({@link #startPostgres}, {@link #startPostgresChat}). Its output goes to {@code target/cluster-logs}.
 * {@link #close()} stops it.
 */
public final class NodeRedisServer implements AutoCloseable {

    private final Process process;
    private final int port;

    private NodeRedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server on a Redis, with extra arguments of the script ({@code "msgpack"} for that parser). */
    public static NodeRedisServer start(String redisUrl, String... args) {
        return launch("node-redis-server.mjs", "node-server", redisUrl, args);
    }

    /**
     * Starts the server with the sharded adapter on a Redis Cluster, given its {@code seeds} (comma-separated
     * {@code redis://} URLs, as {@link RedisCluster#seeds()}), with extra arguments of the script (the adapter's
     * {@code subscriptionMode}: {@code "static"}, {@code "dynamic"} by default, {@code "dynamic-private"}).
     */
    public static NodeRedisServer startSharded(String seeds, String... args) {
        return launch("node-sharded-server.mjs", "node-sharded-server", seeds, args);
    }

    /**
     * Starts the server with {@code @socket.io/redis-streams-adapter} on one Redis, with connection state recovery on
     * (two minutes).
     */
    public static NodeRedisServer startStreams(String redisUrl) {
        return launch("node-streams-server.mjs", "node-streams-server", redisUrl);
    }

    /**
     * Starts the chat demo's contract ({@code clients/node-postgres-chat.mjs}) on {@code @socket.io/postgres-adapter}
     * 0.5, on the PostgreSQL of {@code url} ({@code postgresql://user@host:port/database}).
     */
    public static NodeRedisServer startPostgresChat(String url) {
        return launch("node-postgres-chat.mjs", "node-postgres-chat", url);
    }

    /**
     * Starts the features' events ({@code clients/node-postgres-server.mjs}, as {@link #start}) on
     * {@code @socket.io/postgres-adapter} 0.5, on the PostgreSQL of {@code url}.
     */
    public static NodeRedisServer startPostgres(String url) {
        return launch("node-postgres-server.mjs", "node-postgres-server", url);
    }

    /** Starts {@code script} of the clients directory with a free port, a Redis (or PostgreSQL) address and more arguments. */
    private static NodeRedisServer launch(String script, String logName, String redis, String... args) {
        int port = ClusterProcess.freePort();
        Path log = Path.of("target", "cluster-logs", logName + "-" + System.currentTimeMillis() + ".log");
        List<String> command = new ArrayList<>(List.of("node",
                ClientDriver.clientsDir().resolve(script).toString(), String.valueOf(port), redis));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<Void> listening = new CompletableFuture<>();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                        if (line.startsWith("listening")) {
                            listening.complete(null);
                        }
                    }
                    listening.completeExceptionally(new IOException("the Node server exited; see " + log));
                } catch (IOException e) {
                    listening.completeExceptionally(e);
                }
            }, "node-server-log");
            pump.setDaemon(true);
            pump.start();
            NodeRedisServer server = new NodeRedisServer(process, port);
            try {
                listening.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                server.close();
                throw new IllegalStateException("the Node server did not start; see " + log, e);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
