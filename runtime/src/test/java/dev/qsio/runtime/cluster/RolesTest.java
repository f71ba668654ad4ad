package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.qsio.ClusterInfo.Role;
import io.quarkus.runtime.LaunchMode;

/** What a process is, from its environment, launch mode and the two cluster keys. */
class RolesTest {

    @ParameterizedTest(name = "enabled={0}, workers={1} -> {2}")
    @CsvSource(nullValues = "unset", value = {
            "unset, unset, SINGLE",
            "true,  unset, PRIMARY",
            "TRUE,  unset, PRIMARY",
            "unset, 2,     PRIMARY",
            "true,  2,     PRIMARY",
            // an explicit false wins over workers set elsewhere (application.properties of a packaged application)
            "false, 2,     SINGLE",
            "FALSE, 4,     SINGLE",
            "false, unset, SINGLE",
            // no workers: the process serves itself
            "unset, 0,     SINGLE",
            "true,  0,     SINGLE",
            "unset, ' ',   SINGLE",
    })
    void packagedApplication(String enabled, String workers, Role expected) {
        assertThat(Roles.decide(false, LaunchMode.NORMAL, config(enabled, workers))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({ "DEVELOPMENT", "TEST" })
    void devAndTestModesRunOneProcess(LaunchMode mode) {
        assertThat(Roles.decide(false, mode, config("true", "2"))).isEqualTo(Role.SINGLE);
    }

    @ParameterizedTest
    @CsvSource({ "false, 2", "true, 0" })
    void aProcessStartedAsAWorkerStaysOne(String enabled, String workers) {
        assertThat(Roles.decide(true, LaunchMode.NORMAL, config(enabled, workers))).isEqualTo(Role.WORKER);
    }

    static java.util.function.Function<String, String> config(String enabled, String workers) {
        Map<String, String> values = new HashMap<>();
        values.put("quarkus.socketio.cluster.enabled", enabled);
        values.put("quarkus.socketio.cluster.workers", workers);
        return values::get;
    }
}
