package dev.qsio.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.qsio.ConnectionRefusedException;

/** The limits of {@link AdminLogins}, with a password check that answers at once. */
class AdminLoginsTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final AdminLogins logins = new AdminLogins(2, Duration.ofMinutes(10), 1, 8);
    final AtomicInteger checks = new AtomicInteger();

    @AfterEach
    void close() {
        logins.close();
    }

    boolean login(String address, boolean right) {
        return logins.check(address, () -> {
            checks.incrementAndGet();
            return right;
        }).await().atMost(TIMEOUT);
    }

    @Test
    void anAddressPastItsLimitIsRefusedWithoutACheck() {
        assertThat(login("10.0.0.1", false)).isFalse();
        assertThat(login("10.0.0.1", true)).isTrue();
        assertThat(login("10.0.0.1", false)).isFalse();
        assertThat(checks).hasValue(3);
        assertThatThrownBy(() -> login("10.0.0.1", true)).isInstanceOf(ConnectionRefusedException.class)
                .hasMessage("too many failed logins, retry in 600 s");
        assertThat(checks).hasValue(3);
        assertThat(login("10.0.0.2", true)).isTrue();
        assertThat(logins.figures().get(AdminLoginFigure.CHECKED)).isEqualTo(4);
        assertThat(logins.figures().get(AdminLoginFigure.REFUSED_INVALID_CREDENTIALS)).isEqualTo(2);
        assertThat(logins.figures().get(AdminLoginFigure.REFUSED_RATE_LIMITED)).isEqualTo(1);
    }

    @Test
    void theAddressesTrackedAreBounded() {
        for (int i = 0; i < AdminLogins.MAX_ADDRESSES; i++) {
            login("10." + (i >> 16) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff), false);
        }
        assertThat(logins.trackedAddresses()).isEqualTo(AdminLogins.MAX_ADDRESSES);
        // beyond them, the other addresses share one window
        assertThat(login("192.0.2.1", false)).isFalse();
        assertThat(login("192.0.2.2", false)).isFalse();
        assertThatThrownBy(() -> login("192.0.2.3", true)).isInstanceOf(ConnectionRefusedException.class);
        assertThat(logins.trackedAddresses()).isEqualTo(AdminLogins.MAX_ADDRESSES + 1);
    }
}
