package dev.qsio.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * What this module needs beyond the others (root and network namespaces) is said by {@code bin/test} before Maven
 * starts, to a user who is not root: run as {@code nobody} (through {@code runuser} when the build runs as root), the
 * scripts stop at once with the reason and the way around it, and {@code --skip-campaign} leaves it out.
 */
class PrerequisitesTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();

    record Run(int exit, String output) {
    }

    /** Runs a script of {@code bin/} as a user who is not root. */
    static Run asNobody(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ended within a minute", cmd).isTrue();
            return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void withoutRootTheCampaignsNeedIsSaidAndTheWayAroundIt() throws Exception {
        Run run = asNobody("bin/prerequisites", "test");
        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("not root: the fault campaign makes network namespaces")
                .contains("only the fault campaign (integration-tests/campaign) needs what is said above")
                .contains("bin/test --skip-campaign");
    }

    @Test
    void binTestStopsBeforeMavenStarts() throws Exception {
        Run run = asNobody("bin/test", "-Dtest=NONE");
        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("not root").doesNotContain("[INFO]");
    }

    @Test
    void skippingTheCampaignNeedsNoRoot() throws Exception {
        Run run = asNobody("bin/prerequisites", "test", "--skip-campaign");
        // the build that runs this installed the rest: everything else is there
        assertThat(run.exit()).as(run.output()).isEqualTo(0);
        assertThat(run.output()).contains("all there for the tests").doesNotContain("not root");
    }
}
