package dev.qsio.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * An application class data sharing archive (AppCDS, {@code -XX:SharedArchiveFile}) of each packaged application the
 * tests start, made once per test JVM by a run of the application itself ({@code -XX:ArchiveClassesAtExit}: started,
 * answering one handshake, stopped) and then given to every process started from that jar; a cluster's primary
 * passes it on to its workers with its other JVM options, as it does in production (docs: startup.adoc). The
 * integration tests start hundreds of JVMs: on this project's two-CPU machine the archive took a cluster of two
 * workers from 4.25 to 3.4 s to ready, and a single process from 1.5 to 1.15 s to its first answer. Nothing of the
 * application's behaviour changes with it.
 *
 * <p>
 * Off with {@code -Dqsio.it.cds=false}, and wherever the dump fails (the application cannot start alone, or the JVM
 * cannot archive): the processes then start without it.
 */
final class ClassDataSharing {

    private static final Map<Path, Optional<Path>> ARCHIVES = new ConcurrentHashMap<>();

    private ClassDataSharing() {
    }

    /** The JVM options that give the processes of {@code jar} its archive; none when there is none. */
    static List<String> options(Path jar) {
        if (!Boolean.parseBoolean(System.getProperty("qsio.it.cds", "true"))) {
            return List.of();
        }
        return ARCHIVES.computeIfAbsent(jar.toAbsolutePath(), ClassDataSharing::dump)
                .map(a -> List.of("-XX:SharedArchiveFile=" + a)).orElse(List.of());
    }

    /** Runs the application once to archive the classes it loads; the archive, or empty when that failed. */
    private static Optional<Path> dump(Path jar) {
        long started = System.nanoTime();
        // one archive per test JVM (forks side by side never share a half-written one), in the application's target
        Path archive = jar.getParent().resolve("it-app-cds-" + ProcessHandle.current().pid() + ".jsa");
        Path log = jar.getParent().resolve("it-app-cds-" + ProcessHandle.current().pid() + ".log");
        int port = ClusterProcess.freePort();
        Process p = null;
        try {
            Files.deleteIfExists(archive);
            List<String> cmd = new ArrayList<>(List.of(ClusterProcess.JAVA));
            // archived under the JIT its processes run with
            cmd.addAll(ClusterProcess.JIT);
            cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive,
                    "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.management.port=" + ClusterProcess.freePort(), "-Dquarkus.management.host=127.0.0.1",
                    // one process: workers would inherit the option and write the same file
                    "-Dquarkus.socketio.cluster.workers=0", "-D" + ClusterProcess.WARM_UP + "=0", "-jar",
                    jar.toString()));
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            Process run = p;
            boolean answered;
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions().until(() -> !run.isAlive() || RawHttp.get("http://127.0.0.1:" + port
                                + "/socket.io/?EIO=4&transport=polling").statusCode() == 200);
                answered = run.isAlive();
            } catch (ConditionTimeoutException notInTime) {
                answered = false;
            }
            p.destroy();
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            if (answered && exited && Files.size(archive) > 0) {
                archive.toFile().deleteOnExit();
                log.toFile().deleteOnExit();
                System.out.printf("[cds] %s: archive of its classes made in %d ms%n", jar,
                        (System.nanoTime() - started) / 1_000_000);
                return Optional.of(archive);
            }
            System.out.printf("[cds] %s: no archive (answered %s, exited %s; see %s); its processes start without%n", jar,
                    answered, exited, log);
        } catch (IOException e) {
            System.out.printf("[cds] %s: no archive (%s); its processes start without%n", jar, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        return Optional.empty();
    }
}
