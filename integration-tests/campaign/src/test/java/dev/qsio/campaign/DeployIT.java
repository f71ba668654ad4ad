package dev.qsio.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The build's deploy campaign ({@link Deploy.Plan#CI}): 120 official Node clients (every transport mix) and a Chromium
 * page with connection state recovery, under a numbered broadcast stream and acknowledgements, on two hosts of 2
 * workers on Redis (the streams adapter): one stopped with SIGTERM and started again, the other SIGKILLed and started
 * again (the local bus's rolling restart, SIGKILL and scale-down are LocalRecoveryIT's). Judged by {@link Checker}: no
 * broadcast lost, duplicated or reordered, every acknowledgement settled once, every reconnection recovered, every client
 * back, and the reconnections of each graceful step within what {@code drain-spread} allows. The full run,
 * {@code bin/campaign --deploy --full} (5,000 clients, every step, every layout), gives the documentation's figures.
 */
class DeployIT {

    @Test
    void restartsAndDeploysLoseNothing() throws Exception {
        Path module = Path.of("").toAbsolutePath();
        Path out = module.resolve("target/deploy-build");
        List<Checker.Violation> violations = Deploy.run(Deploy.Plan.CI, module, out);
        String report = Files.readString(out.resolve("report.txt"));
        System.out.print(report);
        assertThat(violations).as(report).isEmpty();
    }
}
