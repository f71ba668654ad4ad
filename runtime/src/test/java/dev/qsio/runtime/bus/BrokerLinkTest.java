package dev.qsio.runtime.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The rules every wire's link keeps: outages, what is said before the listeners hear, the wait between attempts. */
class BrokerLinkTest {

    private final BrokerLink link = new BrokerLink();
    private final List<String> heard = new ArrayList<>();

    BrokerLinkTest() {
        link.onUp(() -> heard.add("up"));
        link.onDown(() -> heard.add("down"));
    }

    @Test
    void anOutageIsCountedWhenALinkThatWasUpGoesDown() {
        assertThat(link.wentDown("refused", () -> heard.add("said down"))).as("never up").isFalse();
        assertThat(link.outages()).isZero();
        assertThat(link.lastError()).isEqualTo("refused");

        link.wentUp(() -> heard.add("said up"));
        assertThat(link.lastError()).isNull();
        assertThat(link.wentDown("closed", () -> heard.add("said down"))).isTrue();
        assertThat(link.wentDown("closed again", () -> heard.add("said down"))).as("already down").isFalse();

        assertThat(link.outages()).isOne();
        assertThat(heard).containsExactly("said up", "up", "said down", "down");
    }

    @Test
    void aBrokerNeverReachedCountsOneOutageOnce() {
        link.unreachableAtFirst(() -> heard.add("cannot reach"));
        link.unreachableAtFirst(() -> heard.add("cannot reach"));
        assertThat(link.outages()).isOne();
        assertThat(heard).containsExactly("cannot reach");
    }

    @Test
    void theWaitDoublesUpToTheMaximumAndStartsAgainOnceUp() {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(link.nextDelay(1000));
        }
        assertThat(waits).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);

        link.attempting();
        assertThat(link.attemptStarted()).isNotNegative();
        link.wentUp(() -> {
        });
        assertThat(link.attemptStarted()).isEqualTo(-1);
        assertThat(link.nextDelay(1000)).isEqualTo(BrokerLink.FIRST_DELAY_MS);
    }

    @Test
    void closingIsNoOutage() {
        link.wentUp(() -> {
        });
        link.close();
        assertThat(link.isUp()).isFalse();
        assertThat(link.isClosed()).isTrue();
        assertThat(link.outages()).isZero();
        assertThat(heard).containsExactly("up");
    }
}
