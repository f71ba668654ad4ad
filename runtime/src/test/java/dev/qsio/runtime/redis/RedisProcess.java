package dev.qsio.runtime.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

/**
 * A real {@code redis-server} for the tests of the channels: on a port of its own, in a directory of its own, stopped
 * and removed by {@link #close()}. Optionally a Redis Cluster of this one node, holding every slot.
 */
final class RedisProcess implements AutoCloseable {

    private final Process process;
    private final Path dir;
    final int port;

    private RedisProcess(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** A plain Redis server. */
    static RedisProcess start() throws Exception {
        return start(false);
    }

    /** A Redis Cluster of one node that serves all 16,384 slots. */
    static RedisProcess startCluster() throws Exception {
        RedisProcess node = start(true);
        try {
            node.cli("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> node.cli("CLUSTER", "INFO").contains("cluster_state:ok"));
            return node;
        } catch (Exception | AssertionError e) {
            node.close();
            throw e;
        }
    }

    /** Starts redis-server, on another port if the one picked was taken meanwhile. */
    private static RedisProcess start(boolean cluster) throws Exception {
        Path dir = Files.createTempDirectory("redis-channels");
        for (int attempt = 1;; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path log = dir.resolve("redis-" + attempt + ".log");
            List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
            if (cluster) {
                cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                        dir.resolve("nodes-" + attempt + ".conf").toString()));
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !p.isAlive() || Files.readString(log).contains("Ready to accept connections"));
            } catch (RuntimeException e) {
                p.destroyForcibly();
                throw e;
            }
            if (p.isAlive()) {
                return new RedisProcess(p, dir, port);
            }
            if (attempt == 3) {
                throw new IOException("redis-server did not start: " + Files.readString(log));
            }
        }
    }

    /** Runs redis-cli against this server; its output. */
    String cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /**
     * Makes channels on {@code loop} (their publishing connection's event loop then), with one subscription, and waits
     * until they are up.
     */
    static <C extends RedisChannelsBase> C startedOn(Context loop, Supplier<C> make,
            String channel, BiConsumer<String, Buffer> handler) throws Exception {
        CompletableFuture<C> up = new CompletableFuture<>();
        loop.runOnContext(v -> {
            C channels = make.get();
            channels.subscribe(channel, handler);
            channels.start().onComplete(ar -> {
                if (ar.succeeded()) {
                    up.complete(channels);
                } else {
                    channels.close();
                    up.completeExceptionally(ar.cause());
                }
            });
        });
        return up.get(30, TimeUnit.SECONDS);
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
        }
    }

    /** The configuration of the channels to this server, with the defaults of the extension. */
    RedisConfig config(RedisConfig.Mode mode) {
        String url = url();
        return (RedisConfig) Proxy.newProxyInstance(RedisConfig.class.getClassLoader(), new Class<?>[] { RedisConfig.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "url" -> url;
                    case "mode" -> mode;
                    case "database" -> OptionalInt.empty();
                    case "password" -> Optional.empty();
                    case "reconnectDelayMax" -> Duration.ofSeconds(5);
                    case "toString" -> "RedisConfig(" + url + ")";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
