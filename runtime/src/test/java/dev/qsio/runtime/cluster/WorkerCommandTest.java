package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.qsio.ClusterInfo;
import io.quarkus.runtime.configuration.ConfigurationException;

/** The command line the primary starts a worker with, and the check of the workers' AOT cache. */
class WorkerCommandTest {

    static final List<String> PRIMARY = List.of("-XX:AOTCache=/app/app.aot", "-Xmx2g", "-Dquarkus.http.port=8080",
            "-jar", "/app/quarkus-run.jar", "arg");

    @Test
    void aWorkerRunsWithThePrimarysOptionsByDefault() {
        assertThat(WorkerProcesses.workerCommand("java", PRIMARY, Optional.empty(), Optional.empty()))
                .containsExactly("java", WorkerProcesses.EXIT_ON_OUT_OF_MEMORY, "-XX:AOTCache=/app/app.aot", "-Xmx2g",
                        "-Dquarkus.http.port=8080", "-jar", "/app/quarkus-run.jar", "arg");
    }

    @Test
    void workerJvmOptionsReplaceAllButTheSystemProperties() {
        assertThat(WorkerProcesses.workerCommand("java", PRIMARY, Optional.of(" -Xmx512m  -XX:+UseSerialGC "),
                Optional.empty())).containsExactly("java", WorkerProcesses.EXIT_ON_OUT_OF_MEMORY,
                        "-Dquarkus.http.port=8080", "-Xmx512m", "-XX:+UseSerialGC", "-jar", "/app/quarkus-run.jar", "arg");
    }

    @Test
    void theWorkersCacheTakesThePlaceOfThePrimarys() {
        String worker = Path.of("/app/app-worker.aot").toAbsolutePath().toString();
        assertThat(WorkerProcesses.workerCommand("java", PRIMARY, Optional.empty(), Optional.of("/app/app-worker.aot")))
                .containsExactly("java", WorkerProcesses.EXIT_ON_OUT_OF_MEMORY, "-Xmx2g", "-Dquarkus.http.port=8080",
                        "-XX:AOTCache=" + worker, "-jar", "/app/quarkus-run.jar", "arg");
        // also where worker-jvm-options name one of their own, and where the primary runs without a cache
        assertThat(WorkerProcesses.workerCommand("java", PRIMARY, Optional.of("-XX:AOTCache=/x.aot -Xmx1g"),
                Optional.of("/app/app-worker.aot"))).filteredOn(a -> a.startsWith("-XX:AOTCache="))
                .containsExactly("-XX:AOTCache=" + worker);
        assertThat(WorkerProcesses.workerCommand("java", List.of("-Xmx2g", "-jar", "app.jar"), Optional.empty(),
                Optional.of("/app/app-worker.aot"))).containsExactly("java", WorkerProcesses.EXIT_ON_OUT_OF_MEMORY,
                        "-Xmx2g", "-XX:AOTCache=" + worker, "-jar", "app.jar");
    }

    @Test
    void aRelativeCacheIsResolvedWhereThePrimaryRuns() {
        assertThat(WorkerProcesses.workerCommand("java", PRIMARY, Optional.empty(), Optional.of("target/w.aot")))
                .contains("-XX:AOTCache=" + Path.of("target/w.aot").toAbsolutePath());
    }

    @Test
    void aMissingCacheFailsStartupNamingTheKey() {
        assertThatThrownBy(() -> ClusterSettings.checkWorkerAotCache("no-such-worker.aot", ClusterInfo.Role.PRIMARY))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.socketio.cluster.worker-aot-cache").hasMessageContaining("no such file");
    }

    @Test
    void aPrimaryOnAJavaWithoutAotCachesRefusesOne() {
        // pom.xml exists: what is checked here is the JVM
        if (Runtime.version().feature() < 25) {
            assertThatThrownBy(() -> ClusterSettings.checkWorkerAotCache("pom.xml", ClusterInfo.Role.PRIMARY))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("quarkus.socketio.cluster.worker-aot-cache")
                    .hasMessageContaining("Java 25 or newer");
        } else {
            ClusterSettings.checkWorkerAotCache("pom.xml", ClusterInfo.Role.PRIMARY);
        }
        // a worker or a single process is not refused for it: only the primary starts workers
        ClusterSettings.checkWorkerAotCache("pom.xml", ClusterInfo.Role.WORKER);
    }
}
