package dev.qsio.test.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.runtime.server.WarmUp;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code quarkus.socketio.warm-up.passes} opens the warm-up's sessions that many times, waiting for the JIT compiler
 * after each: three passes of 200 are 600 sessions, at least three windows of the compiler's readings, and the log
 * says how many passes.
 */
class WarmUpPassesTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Main.class))
            .overrideConfigKey("quarkus.socketio.warm-up.connections", "200")
            .overrideConfigKey("quarkus.socketio.warm-up.passes", "3")
            .setLogRecordPredicate(r -> r.getMessage() != null && r.getMessage().startsWith("Warmed the connection path"))
            .assertLogRecords(records -> {
                assertThat(records).hasSize(1);
                String line = String.format(records.get(0).getMessage(), records.get(0).getParameters());
                assertThat(line).contains("with 600 sessions in 3 passes in ");
            });

    @SocketIo
    public static class Main {
    }

    @Inject
    WarmUp warmUp;

    @Test
    void everyPassRanAndWaitedForTheCompiler() {
        WarmUp.Result result = warmUp.last();
        assertThat(result).isNotNull();
        assertThat(result.passes()).as("%s", result).isEqualTo(3);
        assertThat(result.sessions()).as("%s", result).isEqualTo(600);
        assertThat(result.failed()).as("%s", result).isZero();
        assertThat(result.timedOut()).as("%s", result).isFalse();
        // a whole window of readings after each pass
        assertThat(result.compilerMillis()).as("%s", result).isGreaterThanOrEqualTo(3000L);
        assertThat(result.compilerQuiet()).as("%s", result).isTrue();
    }
}
