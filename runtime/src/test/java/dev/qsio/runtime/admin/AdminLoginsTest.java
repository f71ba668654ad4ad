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

    /**
     * Right passwords checked at the same time are no failures: past the limit in flight, a login is refused as
     * under way (not as failed), and once they are through, the address logs in again at once.
     */
    @Test
    void loginsUnderWayAtOnceAreBoundedButNotCountedAsFailed() throws Exception {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch inCheck = new java.util.concurrent.CountDownLatch(1);
        var first = logins.check("10.0.0.3", () -> {
            inCheck.countDown();
            try {
                return go.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        }).subscribeAsCompletionStage();
        assertThat(inCheck.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // the second waits in the queue behind the first (one thread)
        var second = logins.check("10.0.0.3", () -> true).subscribeAsCompletionStage();
        assertThatThrownBy(() -> login("10.0.0.3", true)).isInstanceOf(ConnectionRefusedException.class)
                .hasMessage("too many logins under way from this address, retry later");
        go.countDown();
        assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // none failed: the limit is whole again
        assertThat(login("10.0.0.3", true)).isTrue();
        assertThat(login("10.0.0.3", false)).isFalse();
        assertThat(login("10.0.0.3", false)).isFalse();
        assertThatThrownBy(() -> login("10.0.0.3", true)).isInstanceOf(ConnectionRefusedException.class)
                .hasMessageStartingWith("too many failed logins");
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
