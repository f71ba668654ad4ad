package dev.qsio.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig.SlowConsumer.Policy;
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

    static SocketIoRuntimeConfig.SlowConsumer.NamespacePolicy of(Policy policy) {
        return () -> policy;
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
}
