package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/** The slow-consumer settings: each bad value fails with a message that names its key; the defaults as documented. */
class SlowConsumerOptionsTest {

    record Config(Duration maxLag, long lagBytes, Optional<Long> maxTotalBytes, Duration checkInterval)
            implements SocketIoRuntimeConfig.SlowConsumer {

        @Override
        public Policy policy() {
            return Policy.DISCONNECT;
        }

        @Override
        public Map<String, NamespacePolicy> namespace() {
            return Map.of();
        }

        @Override
        public String droppedEvent() {
            return "qsio:dropped";
        }
    }

    static final Config DEFAULTS = new Config(Duration.ofSeconds(60), 1_000_000, Optional.empty(), Duration.ofSeconds(1));

    @Test
    void theDefaultsHoldAQuarterOfTheHeapAtMost() {
        SlowConsumers.Options o = SlowConsumers.Options.from(DEFAULTS, 1_000_000_000L);
        assertThat(o.maxTotalBytes()).isEqualTo(250_000_000L);
        assertThat(o.maxLagNanos()).isEqualTo(60_000_000_000L);
        assertThat(o.checkIntervalMs()).isEqualTo(1000);
        assertThat(SlowConsumers.Options.from(new Config(Duration.ZERO, 0, Optional.of(5L), Duration.ofMillis(10)), 1)
                .maxLagNanos()).as("0: the lag rule off").isZero();
    }

    @Test
    void badValuesNameTheirKey() {
        assertFails(new Config(Duration.ofSeconds(-1), 1, Optional.empty(), Duration.ofSeconds(1)), "max-lag");
        assertFails(new Config(Duration.ofNanos(500), 1, Optional.empty(), Duration.ofSeconds(1)), "max-lag");
        assertFails(new Config(Duration.ofSeconds(1), -1, Optional.empty(), Duration.ofSeconds(1)), "lag-bytes");
        assertFails(new Config(Duration.ofSeconds(1), 1, Optional.of(-5L), Duration.ofSeconds(1)), "max-total-bytes");
        assertFails(new Config(Duration.ofSeconds(1), 1, Optional.empty(), Duration.ofMillis(9)), "check-interval");
    }

    private static void assertFails(Config config, String key) {
        assertThatThrownBy(() -> SlowConsumers.Options.from(config, 1_000_000))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("quarkus.socketio.slow-consumer." + key + " must");
    }
}
