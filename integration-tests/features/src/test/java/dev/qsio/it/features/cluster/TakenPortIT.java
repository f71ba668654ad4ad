package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;

/**
 * A port the test support found free can be taken by another process before the primary binds it. The primary then
 * fails its startup with a message naming the key, and the test support starts it again on another port, so that a
 * port taken meanwhile does not fail an unrelated test.
 */
class TakenPortIT {

    @Test
    void aPrimaryWhosePortWasTakenSaysWhichKeyAndIsStartedAgainOnAnotherPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int free = ClusterProcess.freePort();
            Deque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort(), free));
            String name = "taken-port-" + System.nanoTime();
            try (ClusterProcess cluster = ClusterProcess.start(ClusterApiIT.JAR, 1, Map.of(), name, ports::pop)) {
                assertThat(cluster.port()).isEqualTo(free);
                assertThat(cluster.workers()).hasSize(1);
            }
            // the first try's log: the primary's own message, with the key to change
            try (Stream<Path> logs = Files.list(Path.of("target", "cluster-logs"))) {
                List<String> texts = logs.filter(p -> p.getFileName().toString().startsWith(name))
                        .map(TakenPortIT::read).toList();
                assertThat(texts).as("one log per try").hasSize(2);
                assertThat(texts).anySatisfy(t -> assertThat(t)
                        .contains("The primary cannot listen on the application's port")
                        .contains("quarkus.http.port=" + taken.getLocalPort())
                        .contains("Address already in use"));
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
