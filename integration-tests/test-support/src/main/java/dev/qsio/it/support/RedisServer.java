package dev.qsio.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, without persistence. It can be stopped
 * and started again on the same port to simulate an outage. {@link #close()} stops it.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts a server and waits until it answers PING. */
    public static RedisServer start(String name) {
        try {
            Path logs = Path.of("target", "cluster-logs");
            Files.createDirectories(logs);
            RedisServer r = new RedisServer(ClusterProcess.freePort(), logs.resolve("redis-" + name + "-"
                    + System.currentTimeMillis() + ".log"));
            r.startAgain();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the server (again) on its port. */
    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--protected-mode", "no",
                    "--dir", log.getParent().toAbsolutePath().toString(),
                    // the process title names the checkout, so that CI's cleanup finds a server a crashed test left
                    "--proc-title-template", "{title} {listen-addr} " + log.getParent().toAbsolutePath()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (apt-get install redis-server)", e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> "+PONG".equals(command("PING")));
    }

    /** Stops the server (SIGTERM, then SIGKILL). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * Sends one inline command and returns the first line of the answer (for example {@code +PONG}, {@code :3}).
     */
    public String command(String... words) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            StringBuilder cmd = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) {
                byte[] b = w.getBytes(StandardCharsets.UTF_8);
                cmd.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
            }
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            throw new IllegalStateException("redis command " + String.join(" ", words) + " failed: " + e.getMessage(), e);
        }
    }

    /** How many clients subscribe to a channel ({@code PUBSUB NUMSUB}). */
    public int subscribers(String channel) {
        byte[] ch = channel.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("*3\r\n$6\r\nPUBSUB\r\n$6\r\nNUMSUB\r\n$" + ch.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(ch);
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.UTF_8));
            r.readLine(); // *2
            r.readLine(); // $<length>
            r.readLine(); // the channel
            return Integer.parseInt(r.readLine().substring(1)); // :<count>
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
