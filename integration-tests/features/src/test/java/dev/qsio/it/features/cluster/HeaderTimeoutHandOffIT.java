package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;

/**
 * The request-head deadline ({@code quarkus.socketio.header-timeout}) in a cluster, whose workers serve connections
 * their primary accepted and handed over. Requests sent while the cluster starts wait in the primary and reach a
 * worker the moment it is ready, before its HTTP server's start events reach their observers: they are served, and
 * the worker does not warn that it cannot time the primary's port (it once did, at every start that met a client).
 * A connection handed over after that is timed: one that trickles its head is closed by the worker.
 */
class HeaderTimeoutHandOffIT {

    @Test
    void requestsFromTheFirstMomentAreServedWithoutAWarningAndHandedOverConnectionsAreTimed() throws Exception {
        int port = ClusterProcess.freePort();
        try (ClusterProcess cluster = ClusterProcess.launch(ClusterApiIT.JAR, 2,
                Map.of("quarkus.socketio.header-timeout", "2s"), "header-timeout-hand-off", port)) {
            // as soon as the primary listens: the requests wait there for a worker
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> accepts(port));
            List<CompletableFuture<HttpResponse<String>>> early = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                early.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/socket.io/?EIO=4&transport=polling")).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            cluster.awaitReady(2);
            for (CompletableFuture<HttpResponse<String>> answer : early) {
                HttpResponse<String> r = answer.join();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).startsWith("0{");
            }
            assertThat(cluster.logText()).doesNotContain("are not timed");

            // a head that never completes, on a connection the primary hands to a worker once its first line came
            try (Socket slow = new Socket()) {
                slow.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                slow.setSoTimeout(30_000);
                OutputStream out = slow.getOutputStream();
                out.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long start = System.nanoTime();
                InputStream in = slow.getInputStream();
                // closed by the worker: end of stream (or a reset), well before the read timeout
                int read;
                try {
                    read = in.read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the worker left a head that never ends open for 30 s", e);
                } catch (IOException reset) {
                    read = -1;
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(read).as("what the server sent to a head that never ends").isEqualTo(-1);
                // the deadline's doing: not at once (the primary passed it on), near the 2 s given
                assertThat(ms).as("ms until the worker closed it (header-timeout 2 s)").isBetween(1_500L, 25_000L);
            }
            assertThat(cluster.logText()).doesNotContain("are not timed");
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
