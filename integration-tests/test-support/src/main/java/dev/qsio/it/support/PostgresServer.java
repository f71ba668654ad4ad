package dev.qsio.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * A real PostgreSQL (Debian's {@code postgresql} package) of its own: {@code initdb} in a temporary directory, then
 * {@code pg_ctl} on a free loopback port, its Unix socket in that directory. As root both run as the {@code postgres}
 * user ({@code initdb} refuses to run as root). Connections over TCP need the password when one is given, and are
 * trusted otherwise. It can be stopped and started again on the same port (an outage, a restart), and frozen with
 * SIGSTOP. {@link #close()} stops it and removes the directory; so does a JVM shutdown hook, should a test not get to
 * it. The postmaster's command line names the checkout ({@code -c qsio.checkout=...}), so that {@code bin/test}'s
 * cleanup finds a server that a killed test run left.
 */
public final class PostgresServer implements AutoCloseable {

    private static final String USER = "postgres";
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path log;
    private final int port;
    private final String password;
    private final Thread hook;
    private boolean running;

    private PostgresServer(Path bin, Path dir, int port, String password, Path log) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.password = password;
        this.log = log;
        this.hook = new Thread(this::stopQuietly, "postgres-" + port + "-stop");
    }

    /** Starts a server whose TCP connections are trusted (no password). */
    public static PostgresServer start(String name) {
        return start(name, null);
    }

    /** Starts a server whose TCP connections need {@code password} (SCRAM) for the {@code postgres} user. */
    public static PostgresServer start(String name, String password) {
        Path bin = binaries();
        try {
            Path logs = Files.createDirectories(Path.of("target", "cluster-logs").toAbsolutePath());
            Path dir = Files.createTempDirectory("qsio-pg-" + name + "-");
            PostgresServer server = new PostgresServer(bin, dir, ClusterProcess.freePort(), password,
                    logs.resolve("postgres-" + name + "-" + System.currentTimeMillis() + ".log"));
            Runtime.getRuntime().addShutdownHook(server.hook);
            try {
                server.init();
                server.startAgain();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The newest PostgreSQL of Debian's packages, or the one on the PATH. */
    private static Path binaries() {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
                        .max(Comparator.comparingInt(v -> parseVersion(v.getFileName().toString()))).orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, "pg_ctl"))) {
                return Path.of(entry);
            }
        }
        throw new IllegalStateException("PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/pg_ctl and no pg_ctl "
                + "on the PATH (apt-get install postgresql; bin/prerequisites test does it)");
    }

    private static int parseVersion(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a PostgreSQL program, as the {@code postgres} user when this is root; fails with its output. */
    private String run(List<String> command, Duration timeout) {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.addAll(List.of("runuser", "-u", USER, "--"));
        }
        cmd.addAll(command);
        try {
            Path out = Files.createTempFile("qsio-pg-cmd", ".log");
            try {
                Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", cmd) + " took more than " + timeout);
                }
                String output = Files.readString(out);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + output);
                }
                return output;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void init() throws IOException {
        chown(dir);
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                "-E", "UTF8", "--locale=C", "--no-sync", "--auth-local=trust"));
        if (password != null) {
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            chown(pwfile);
            cmd.addAll(List.of("--auth-host=scram-sha-256", "--pwfile=" + pwfile));
        } else {
            cmd.add("--auth-host=trust");
        }
        run(cmd, Duration.ofSeconds(120));
    }

    private static void chown(Path path) throws IOException {
        if (!root()) {
            return;
        }
        try {
            Process p = new ProcessBuilder("chown", USER + ":" + USER, path.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) {
                throw new IOException("chown " + USER + " " + path + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Starts the server (again) on its port and waits until it accepts connections. */
    public synchronized void startAgain() {
        if (running) {
            return;
        }
        Path checkout = Path.of("").toAbsolutePath();
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200"
                + " -c qsio.checkout=" + checkout;
        try {
            Files.writeString(log, "", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // pg_ctl writes the server's log as the postgres user: it goes to a file of the directory, copied at stop
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-o", options, "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "start"), Duration.ofSeconds(90));
        running = true;
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> "1".equals(sql("SELECT 1").strip()));
    }

    /** Stops the server (a fast shutdown: sessions are ended, as in a restart). */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
                Duration.ofSeconds(90));
        running = false;
        copyLog();
    }

    /** The postmaster's pid, or -1 when it is not running. */
    public synchronized long pid() {
        try {
            return running ? Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip()) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private void copyLog() {
        try {
            Path server = dir.resolve("server.log");
            if (Files.exists(server)) {
                Files.writeString(log, Files.readString(server), StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            // the log is for reading after a failure; a server without one still stopped
        }
    }

    public int port() {
        return port;
    }

    /** The reactive datasource URL of the {@code postgres} database. */
    public String url() {
        return "postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The properties of an application's default reactive datasource on this server. */
    public java.util.Map<String, String> datasource() {
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("quarkus.datasource.reactive.url", url());
        p.put("quarkus.datasource.username", USER);
        if (password != null) {
            p.put("quarkus.datasource.password", password);
        }
        p.put("quarkus.datasource.devservices.enabled", "false");
        return p;
    }

    /** Runs SQL with {@code psql} over the server's Unix socket and returns its unaligned output. */
    public String sql(String statement) {
        return run(List.of(bin.resolve("psql").toString(), "-h", dir.toString(), "-p", String.valueOf(port), "-U", USER,
                "-d", "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement), Duration.ofSeconds(30));
    }

    /**
     * Takes a table lock in a transaction of its own (a {@code psql} session kept open) and returns once it is held;
     * closing the result commits, which releases it. {@code LOCK TABLE t IN EXCLUSIVE MODE} holds back every write to
     * {@code t} and lets reads through.
     */
    public AutoCloseable hold(String lockStatement) {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.addAll(List.of("runuser", "-u", USER, "--"));
        }
        cmd.addAll(List.of(bin.resolve("psql").toString(), "-h", dir.toString(), "-p", String.valueOf(port), "-U", USER,
                "-d", "postgres", "-At", "-v", "ON_ERROR_STOP=1"));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            var in = p.outputWriter(StandardCharsets.UTF_8);
            var out = p.inputReader(StandardCharsets.UTF_8);
            in.write("BEGIN;\n" + lockStatement + ";\nSELECT 'held';\n");
            in.flush();
            for (String line; (line = out.readLine()) != null;) {
                if (line.strip().equals("held")) {
                    return () -> {
                        in.write("COMMIT;\n\\q\n");
                        in.close();
                        if (!p.waitFor(30, TimeUnit.SECONDS)) {
                            p.destroyForcibly();
                            throw new IllegalStateException("psql did not end after COMMIT");
                        }
                    };
                }
                if (line.contains("ERROR")) {
                    p.destroyForcibly();
                    throw new IllegalStateException(lockStatement + ": " + line);
                }
            }
            throw new IllegalStateException(lockStatement + ": psql ended (" + p.waitFor() + ") before the lock was held");
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            // at JVM exit, or after a failed stop: kill what is left
            long pid = pid();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        deleteDirectory();
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }
}
