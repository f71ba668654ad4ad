package dev.qsio.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The build's fault campaign: the first four faults of one fixed seed on two hosts of two workers behind HAProxy, one
 * Redis, connection state recovery on, drawn from the kinds that start no JVM (processes killed, restarted and scaled
 * are WorkerDeathIT's, HostDeathIT's and FaultsUnderLoadIT's, and take the longest to converge): a host cut from
 * Redis, the hosts cut from each other, a worker paused, loss on a host's link. bin/campaign runs every kind, and the
 * long mode. Four faults whatever the machine's speed: a deadline alone would run fewer on a slow machine. Needs root:
 * it makes network namespaces, and removes them whatever happens.
 */
class CampaignIT {

    /** Its first fault is a host cut from Redis for 12.5 s, the fault that found the late broadcasts. */
    static final long SEED = 8;
    static final int FAULTS = 4;
    static final String KINDS = "partition-host-redis,redis-pause,partition-hosts,latency,loss,pause-worker-short";

    @Test
    void theFixedSeedFindsNoViolation() throws Exception {
        Path out = Path.of("target/campaign-build").toAbsolutePath();
        // the deadline only bounds a machine so slow that four would not fit
        int status = CampaignMain.run(Map.of("seed", String.valueOf(SEED), "variant", "redis-recovery", "faults",
                String.valueOf(FAULTS), "kinds", KINDS, "seconds", "240", "out", out.toString(), "module",
                Path.of("").toAbsolutePath().toString()));
        String report = Files.exists(out.resolve("report.txt")) ? Files.readString(out.resolve("report.txt"))
                : "(no report: the campaign did not run to its end; its output is above)";
        assertThat(status).as(report).isZero();
        assertThat(Lab.namespaces(Lab.prefixFor(Path.of("").toAbsolutePath().getParent().getParent().getFileName()
                .toString()))).as("namespaces left").isEmpty();
    }
}
