package dev.qsio.test.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.runtime.server.WarmUp;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A warm-up longer than {@code quarkus.socketio.warm-up.timeout} is cut short there and the application starts with
 * what it did, without waiting for the JIT compiler; with polling as the only transport, its sessions are all polling ones and they succeed.
 */
class WarmUpTimeoutTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Main.class))
            .overrideConfigKey("quarkus.socketio.transports", "polling")
            .overrideConfigKey("quarkus.socketio.warm-up.connections", "100000000")
            .overrideConfigKey("quarkus.socketio.warm-up.timeout", "1s")
            .setLogRecordPredicate(r -> r.getMessage() != null && r.getMessage().startsWith("Warmed the connection path"))
            .assertLogRecords(records -> {
                assertThat(records).hasSize(1);
                String line = String.format(records.get(0).getMessage(), records.get(0).getParameters());
                // the log says why the compiler was not waited for, not that it was still compiling
                assertThat(line).contains("cut short by its timeout", "then waited 0 ms for the JIT compiler",
                        "(none left: the sessions used the whole timeout)").doesNotContain("still compiling");
            });

    @SocketIo
    public static class Main {
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    WarmUp warmUp;

    @Test
    void theWarmUpStopsAtItsTimeoutAndTheApplicationServes() throws Exception {
        WarmUp.Result result = warmUp.last();
        assertThat(result).isNotNull();
        assertThat(result.timedOut()).as("%s", result).isTrue();
        assertThat(result.sessions()).as("%s", result).isPositive().isLessThan(100000000);
        assertThat(result.failed()).as("%s", result).isZero();
        // the timeout bounds it: the lanes stop starting sessions there, the ones under way end soon after (it counts
        // from the warm-up's start, a few microseconds before its sessions')
        assertThat(result.millis()).as("%s", result).isBetween(990L, 1000L + 5000L);
        // the timeout bounds the sessions and the wait for the compiler together: none is left for the wait
        assertThat(result.compilerMillis()).as("%s", result).isZero();
        assertThat(result.compilerQuiet()).as("%s", result).isFalse();
        assertThat(result.compiler()).as("%s", result).isEqualTo(WarmUp.Compiler.NO_TIME_LEFT);
        // a polling handshake of the application's own engine
        HttpResponse<String> open = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/socket.io/?EIO=4&transport=polling")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).startsWith("0{\"sid\":");
    }
}
