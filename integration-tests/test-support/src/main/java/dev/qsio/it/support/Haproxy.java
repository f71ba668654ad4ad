package dev.qsio.it.support;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;

/**
 * A real HAProxy (Debian's package) in front of several servers, started from a configuration file with
 * {@code ${PORT}} and {@code ${SERVER_n}} placeholders (so that the documented configurations are the tested ones).
 */
public final class Haproxy implements AutoCloseable {

    private final Process process;
    private final int port;

    private Haproxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts HAProxy with the configuration template at {@code template}, servers as {@code host:port}. */
    public static Haproxy start(Path template, List<String> servers, String name) {
        try {
            int port = ClusterProcess.freePort();
            String config = Files.readString(template).replace("${PORT}", String.valueOf(port));
            for (int i = 0; i < servers.size(); i++) {
                config = config.replace("${SERVER_" + (i + 1) + "}", servers.get(i));
            }
            Path logs = Path.of("target", "cluster-logs");
            Files.createDirectories(logs);
            Path file = logs.resolve("haproxy-" + name + ".cfg");
            Files.writeString(file, config);
            Process p = new ProcessBuilder(List.of("haproxy", "-db", "-f", file.toAbsolutePath().toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(logs.resolve("haproxy-" + name + "-" + System.currentTimeMillis() + ".log").toFile())
                    .start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("haproxy exited with " + p.exitValue() + "; see " + file);
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
