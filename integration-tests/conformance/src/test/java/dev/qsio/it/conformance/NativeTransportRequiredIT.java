package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;

/**
 * This application has no native epoll transport: started as a cluster, it fails at once and says what to add,
 * instead of starting workers that cannot share the port.
 */
class NativeTransportRequiredIT {

    @Test
    void clusterStartFailsWithAMessageSayingWhatToAdd() throws Exception {
        Path log = Files.createTempFile("no-native", ".log");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Dquarkus.http.port=" + ClusterProcess.freePort(), "-Dquarkus.socketio.cluster.workers=2", "-jar",
                Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isNotZero();
            String output = Files.readString(log);
            assertThat(output).contains("netty-transport-native-epoll").contains("linux-x86_64");
            List<ProcessHandle> children = p.toHandle().descendants().toList();
            assertThat(children).isEmpty();
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
