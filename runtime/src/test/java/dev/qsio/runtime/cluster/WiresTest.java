package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import dev.qsio.runtime.config.SocketIoRuntimeConfig.BusKind;
import dev.qsio.runtime.wire.WireProvider;

/** Every value of {@code quarkus.socketio.bus} but {@code local} chooses a registered wire, and no wire is unreachable. */
class WiresTest {

    @Test
    void eachBusValueChoosesItsWire() {
        assertThat(Wires.chosen(BusKind.LOCAL)).isNull();
        for (BusKind bus : BusKind.values()) {
            if (bus != BusKind.LOCAL) {
                assertThat(Wires.chosen(bus).name()).isEqualTo(bus.name().toLowerCase(Locale.ROOT));
            }
        }
        assertThat(Wires.ALL).extracting(WireProvider::name).doesNotHaveDuplicates()
                .allSatisfy(name -> assertThat(BusKind.valueOf(name.toUpperCase(Locale.ROOT))).isNotNull());
    }

    @Test
    void recoveryInAClusterNamesTheWiresThatKeepSessions() {
        assertThat(Wires.keepingSessions()).startsWith("quarkus.socketio.bus=redis");
    }
}
