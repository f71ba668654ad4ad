package dev.qsio.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig.SlowConsumer.Policy;
import dev.qsio.runtime.engine.SlowConsumers.Lag;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Which namespaces' events a slow client may miss: the policy of a namespace over the default one, the marks given
 * to their events, and bad values failing with a message that names their key.
 */
class SlowConsumerPoliciesTest {

    record Config(Policy policy, Map<String, NamespacePolicy> namespace, String droppedEvent)
            implements SocketIoRuntimeConfig.SlowConsumer {

        @Override
        public Duration maxLag() {
            return Duration.ofSeconds(60);
        }

        @Override
        public long lagBytes() {
            return 1_000_000;
        }

        @Override
        public Optional<Long> maxTotalBytes() {
            return Optional.empty();
        }

        @Override
        public Duration checkInterval() {
            return Duration.ofSeconds(1);
        }
    }

    record Settings(Optional<Policy> policy, Optional<Duration> maxLag, Optional<Long> lagBytes)
            implements SocketIoRuntimeConfig.SlowConsumer.NamespacePolicy {
    }

    static SocketIoRuntimeConfig.SlowConsumer.NamespacePolicy of(Policy policy) {
        return new Settings(Optional.of(policy), Optional.empty(), Optional.empty());
    }

    static SocketIoRuntimeConfig.SlowConsumer.NamespacePolicy lag(Duration maxLag, Long lagBytes) {
        return new Settings(Optional.empty(), Optional.ofNullable(maxLag), Optional.ofNullable(lagBytes));
    }

    @Test
    void aNamespacesPolicyOverridesTheDefault() {
        SlowConsumerPolicies p = SlowConsumerPolicies.from(new Config(Policy.DISCONNECT,
                Map.of("/prices", of(Policy.DROP_OLDEST)), "qsio:dropped"));
        assertThat(p.dropGroup("/prices")).isEqualTo("/prices");
        assertThat(p.dropGroup("/")).as("the default: nothing dropped").isNull();
        assertThat(p.dropGroup("/chat")).isNull();

        SlowConsumerPolicies all = SlowConsumerPolicies.from(new Config(Policy.DROP_OLDEST,
                Map.of("/orders", of(Policy.DISCONNECT)), "missed"));
        assertThat(all.dropGroup("/")).isEqualTo("/");
        assertThat(all.dropGroup("/orders")).as("a namespace kept whole under a dropping default").isNull();
        assertThat(all.droppedEvent()).isEqualTo("missed");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> SlowConsumerPolicies.from(new Config(Policy.DISCONNECT,
                Map.of("prices", of(Policy.DROP_OLDEST)), "qsio:dropped")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("quarkus.socketio.slow-consumer.namespace.\"prices\".policy: a namespace's name "
                        + "starts with '/'");
        for (String event : new String[] { "", " ", "disconnect", "connect_error" }) {
            assertThatThrownBy(() -> SlowConsumerPolicies.from(new Config(Policy.DISCONNECT, Map.of(), event)))
                    .as("'" + event + "'")
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("quarkus.socketio.slow-consumer.dropped-event must be an event name");
        }
    }

    @Test
    void aClientIsHeldToTheStrictestLagOfItsNamespaces() {
        long s = 1_000_000_000L;
        SlowConsumerPolicies p = SlowConsumerPolicies.from(new Config(Policy.DISCONNECT, Map.of(
                "/prices", lag(Duration.ofSeconds(2), null),
                "/bulk", lag(Duration.ofMinutes(5), 50_000_000L),
                "/small", lag(null, 10_000L),
                "/patient", lag(Duration.ZERO, null)), "qsio:dropped"));
        assertThat(p.lag(List.of("/"))).as("no namespace of its own: the engine's process-wide rule").isNull();
        assertThat(p.lag(List.of())).isNull();
        assertThat(p.lag(List.of("/prices"))).as("its lag, the process's bytes").isEqualTo(new Lag(2 * s, 1_000_000));
        assertThat(p.lag(List.of("/bulk"))).as("looser than the process's, alone").isEqualTo(new Lag(300 * s, 50_000_000));
        assertThat(p.lag(List.of("/bulk", "/"))).as("with the main namespace, the process's rule is the stricter")
                .isEqualTo(new Lag(60 * s, 1_000_000));
        assertThat(p.lag(List.of("/prices", "/small"))).isEqualTo(new Lag(2 * s, 10_000));
        assertThat(p.lag(List.of("/patient"))).as("0: never closed for lag").isEqualTo(new Lag(0, 1_000_000));
        assertThat(p.lag(List.of("/patient", "/bulk"))).as("a lag of 0 is the loosest, not the strictest")
                .isEqualTo(new Lag(300 * s, 1_000_000));
    }

    @Test
    void aNamespacesBadLagNamesItsKey() {
        assertThatThrownBy(() -> SlowConsumerPolicies.from(new Config(Policy.DISCONNECT,
                Map.of("/prices", lag(Duration.ofNanos(10), null)), "qsio:dropped")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("quarkus.socketio.slow-consumer.namespace.\"/prices\".max-lag must be 0 (off) or "
                        + "at least 1 ms");
        assertThatThrownBy(() -> SlowConsumerPolicies.from(new Config(Policy.DISCONNECT,
                Map.of("/prices", lag(null, -1L)), "qsio:dropped")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("quarkus.socketio.slow-consumer.namespace.\"/prices\".lag-bytes must be a number");
        assertThatThrownBy(() -> SlowConsumerPolicies.from(new Config(Policy.DISCONNECT,
                Map.of("prices", lag(Duration.ofSeconds(1), null)), "qsio:dropped")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("quarkus.socketio.slow-consumer.namespace.\"prices\".max-lag: a namespace's name");
    }
}
