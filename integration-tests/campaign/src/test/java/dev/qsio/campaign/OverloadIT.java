package dev.qsio.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The build's overload campaign ({@link Overload.Plan#CI}): 150 well-behaved official clients and a Chromium page on
 * two workers of {@code -Xmx256m} (with a heartbeat of 5 s and 10 s, so that a storm's sessions end sooner), every
 * abuse in turn for 8 s and then together, judged by {@link OverloadChecker}:
 * nothing lost, reordered or disconnected, every acknowledgement answered, no worker out of memory, each abuser at its
 * documented end, and each phase's delivery p99 at most twice the quiet phase's plus 100 ms (the slack a build on a
 * busy 2-CPU machine needs; the full run, {@code bin/campaign --overload --full}, holds the aim of twice without
 * slack and its figures are in the documentation).
 */
class OverloadIT {

    @Test
    void theWellBehavedAreUntouched() throws Exception {
        Path module = Path.of("").toAbsolutePath();
        Path out = module.resolve("target/overload-build");
        List<Checker.Violation> violations = Overload.run(Overload.Plan.CI, module, out, 2.0, 100);
        String report = Files.readString(out.resolve("report.txt"));
        System.out.print(report);
        assertThat(violations).as(report).isEmpty();
    }
}
