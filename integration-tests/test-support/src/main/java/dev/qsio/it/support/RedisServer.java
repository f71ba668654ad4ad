package dev.qsio.it.support;

import java.io.DataInputStream;
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
    private final String password;
    /** The certificate authority of a TLS server, or null. */
    private final Path ca;
    private Process process;

    /** More arguments of the server, e.g. {@code --replicaof}. */
    private final List<String> extra;
    /** The configuration file, first on the command line (a sentinel's), or null. */
    private Path config;
    /** Another address to listen on beside 127.0.0.1 (in a network namespace, the one other hosts reach), or null. */
    private String address;

    private RedisServer(int port, Path log, String password, Path ca, List<String> extra) {
        this.port = port;
        this.log = log;
        this.password = password;
        this.ca = ca;
        this.extra = extra;
    }

    /** Starts a sentinel with its configuration file (a sentinel rewrites it) and waits until it answers. */
    public static RedisServer startSentinel(String name, Path config) {
        try {
            Path logs = Files.createDirectories(Path.of("target", "cluster-logs").toAbsolutePath());
            RedisServer r = new RedisServer(ClusterProcess.freePort(), logs.resolve("redis-" + name + "-"
                    + System.currentTimeMillis() + ".log"), null, null, List.of("--sentinel"));
            r.config = config.toAbsolutePath();
            r.startAgain();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kills the server (SIGKILL), as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts a server with more arguments (e.g. {@code --replicaof 127.0.0.1 <port>}) and waits until it answers. */
    public static RedisServer startWith(String name, String... args) {
        try {
            Path logs = Files.createDirectories(Path.of("target", "cluster-logs").toAbsolutePath());
            RedisServer r = new RedisServer(ClusterProcess.freePort(), logs.resolve("redis-" + name + "-"
                    + System.currentTimeMillis() + ".log"), null, null, List.of(args));
            r.startAgain();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a server and waits until it answers PING. */
    public static RedisServer start(String name) {
        return start(name, null, false);
    }

    /**
     * Starts a server that listens on {@code address} too (an address of a network namespace that hosts in other
     * namespaces reach), which {@link #url()} names, and waits until it answers PING.
     */
    public static RedisServer startOn(String name, String address) {
        try {
            Path logs = Files.createDirectories(Path.of("target", "cluster-logs").toAbsolutePath());
            RedisServer r = new RedisServer(ClusterProcess.freePort(), logs.resolve("redis-" + name + "-"
                    + System.currentTimeMillis() + ".log"), null, null, List.of());
            r.address = address;
            r.startAgain();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The process id of the running server, or -1. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /**
     * Starts a server that requires {@code password} (when not null) and, with {@code tls}, serves TLS only, with a
     * server certificate for {@code localhost} and {@code 127.0.0.1} signed by a throwaway authority ({@link #caPem()}).
     */
    public static RedisServer start(String name, String password, boolean tls) {
        try {
            Path logs = Path.of("target", "cluster-logs").toAbsolutePath();
            Files.createDirectories(logs);
            Path ca = null;
            if (tls) {
                Path dir = Files.createDirectories(logs.resolve("redis-tls-" + name));
                openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                        "-days", "2", "-subj", "/CN=qsio-test-ca");
                openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
                        "/CN=localhost");
                Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
                openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                        "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf");
                ca = dir.resolve("ca.crt");
            }
            RedisServer r = new RedisServer(ClusterProcess.freePort(), logs.resolve("redis-" + name + "-"
                    + System.currentTimeMillis() + ".log"), password, ca, List.of());
            r.startAgain();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The PEM of the authority that signed a TLS server's certificate. */
    public Path caPem() {
        return ca;
    }

    /** Starts the server (again) on its port. */
    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("redis-server"));
        if (config != null) {
            cmd.add(config.toString());
        }
        cmd.addAll(List.of("--bind", address == null ? "127.0.0.1" : "127.0.0.1 " + address,
                "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--dir", log.getParent().toAbsolutePath().toString(),
                // the process title names the checkout, so that CI's cleanup finds a server a crashed test left
                "--proc-title-template", "{title} {listen-addr} " + log.getParent().toAbsolutePath()));
        if (ca != null) {
            Path dir = ca.getParent();
            cmd.addAll(List.of("--port", "0", "--tls-port", String.valueOf(port), "--tls-cert-file",
                    dir.resolve("server.crt").toString(), "--tls-key-file", dir.resolve("server.key").toString(),
                    "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"));
        } else {
            cmd.addAll(List.of("--port", String.valueOf(port)));
        }
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password));
        }
        cmd.addAll(extra);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (apt-get install redis-server)", e);
        }
        if (ca != null) {
            // the plain-text helpers below cannot speak TLS: wait for the port
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            return true;
                        }
                    });
            return;
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> { String pong = command("PING"); return "+PONG".equals(pong) || pong.startsWith("-NOAUTH"); });
    }

    /**
     * Stops the server's process (SIGSTOP) without closing anything: its connections stay open and the kernel still
     * accepts new ones, but nothing is answered, as with a frozen VM or a network that drops everything silently.
     */
    public synchronized void pause() {
        ClusterProcess.signal(process.pid(), "STOP");
    }

    /** Lets a paused server run again (SIGCONT). */
    public synchronized void resume() {
        ClusterProcess.signal(process.pid(), "CONT");
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

    /** The URL for the application: {@code rediss://localhost:<port>} for a TLS server, without the password. */
    public String url() {
        return (ca != null ? "rediss://localhost:" : "redis://" + (address == null ? "127.0.0.1" : address) + ":") + port;
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

    /** What {@code INFO <section>} says (its lines, as {@code name:value}). */
    public String info(String section) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            byte[] w = section.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(("*2\r\n$4\r\nINFO\r\n$" + w.length + "\r\n" + section + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            StringBuilder header = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    header.append((char) c);
                }
            }
            if (header.length() == 0 || header.charAt(0) != '$') {
                throw new IllegalStateException("INFO " + section + " answered " + header);
            }
            byte[] body = new byte[Integer.parseInt(header.substring(1))];
            in.readFully(body);
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("redis INFO " + section + " failed: " + e.getMessage(), e);
        }
    }

    /** The value of a string key, or null when there is none ({@code GET}). */
    public String get(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("*2\r\n$3\r\nGET\r\n$" + k.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(k);
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    head.append((char) c);
                }
            }
            if (!head.toString().startsWith("$")) {
                throw new IllegalStateException("GET " + key + " answered " + head);
            }
            int length = Integer.parseInt(head.substring(1));
            if (length < 0) {
                return null;
            }
            byte[] value = new byte[length];
            in.readFully(value);
            return new String(value, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("GET " + key + " failed: " + e.getMessage(), e);
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
