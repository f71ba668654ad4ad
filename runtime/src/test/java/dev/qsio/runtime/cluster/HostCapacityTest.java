package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import dev.qsio.WorkerInfo;
import dev.qsio.WorkerState;

/** Scaling is refused beyond what the host's available memory carries, measured from a running worker. */
@EnabledOnOs(OS.LINUX)
class HostCapacityTest {

    /** This JVM stands in for a running worker: its resident size is what each new one is taken to need. */
    static final List<WorkerInfo> ONE_RUNNING = List.of(
            new WorkerInfo(1, ProcessHandle.current().pid(), WorkerState.RUNNING, true, 0, Instant.now()));

    @Test
    void moreWorkersThanTheAvailableMemoryCarriesAreRefusedSayingWhy() {
        long availableKb = HostCapacity.kb(Path.of("/proc/meminfo"), "MemAvailable:");
        long rssKb = HostCapacity.kb(Path.of("/proc/self/status"), "VmRSS:");
        assertThat(availableKb).isPositive();
        assertThat(rssKb).isPositive();
        int tooMany = (int) Math.min(Integer.MAX_VALUE - 1, availableKb / rssKb + 10);
        assertThat(HostCapacity.refusal(ONE_RUNNING, tooMany)).contains("cannot start " + (tooMany - 1) + " more workers")
                .contains("MB available");
    }

    @Test
    void whatFitsIsNotRefused() {
        assertThat(HostCapacity.refusal(ONE_RUNNING, 1)).isNull();
        assertThat(HostCapacity.refusal(ONE_RUNNING, 2)).isNull();
        // nothing running to measure: nothing refused
        assertThat(HostCapacity.refusal(List.of(), 5)).isNull();
    }
}
