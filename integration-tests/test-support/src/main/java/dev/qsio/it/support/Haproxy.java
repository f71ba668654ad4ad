package dev.qsio.it.support;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

/**
 * A real HAProxy (Debian's package) in front of one host or two, started from one of the configuration files of the
 * documentation, unchanged: they take their addresses from the environment.
 */
public final class Haproxy implements AutoCloseable {

    private final Process process;
    private final int port;

    private Haproxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts HAProxy with a configuration file as documented: it reads {@code LISTEN}, {@code HOST_A},
     * {@code HOST_B} and their {@code *_MANAGEMENT_PORT}s from the environment.
     */
    public static Haproxy start(Path config, ClusterProcess hostA, ClusterProcess hostB, String name) {
        return start(config, name, hostA, hostB);
    }

    /** Starts HAProxy in front of one host, with a configuration that reads {@code LISTEN} and {@code HOST}. */
    public static Haproxy start(Path config, ClusterProcess host, String name) {
        return start(config, name, host);
    }

    private static Haproxy start(Path config, String name, ClusterProcess... hosts) {
        try {
            int port = ClusterProcess.freePort();
            Path logs = Path.of("target", "cluster-logs");
            Files.createDirectories(logs);
            ProcessBuilder pb = new ProcessBuilder(List.of("haproxy", "-db", "-f", config.toAbsolutePath().toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(logs.resolve("haproxy-" + name + "-" + System.currentTimeMillis() + ".log").toFile());
            Map<String, String> env = pb.environment();
            env.put("LISTEN", "127.0.0.1:" + port);
            if (hosts.length == 1) {
                env.put("HOST", hosts[0].address() + ":" + hosts[0].port());
                env.put("HOST_MANAGEMENT_PORT", String.valueOf(hosts[0].managementPort()));
            } else {
                env.put("HOST_A", hosts[0].address() + ":" + hosts[0].port());
                env.put("HOST_B", hosts[1].address() + ":" + hosts[1].port());
                env.put("HOST_A_MANAGEMENT_PORT", String.valueOf(hosts[0].managementPort()));
                env.put("HOST_B_MANAGEMENT_PORT", String.valueOf(hosts[1].managementPort()));
            }
            Process p = pb.start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("haproxy exited with " + p.exitValue() + " for " + config);
                        }
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            return true;
                        }
                    });
            return new Haproxy(p, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start haproxy (apt-get install haproxy)", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
