package dev.qsio.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import dev.qsio.campaign.OverloadChecker.Latency;
import dev.qsio.campaign.OverloadChecker.Limits;
import dev.qsio.campaign.OverloadChecker.Phase;
import dev.qsio.campaign.OverloadChecker.Run;

/**
 * The overload checker on runs written by hand: a clean run passes, and each way a run can break a rule is reported
 * under that rule: a phase's p99 over the bound, a well-behaved client disconnected, an acknowledgement failed, a worker
 * out of memory or replaced, flooders never limited (or, with a cooldown, never refused during it), a storm let past
 * its limits or answered otherwise than 200, 429 or 503, a guessed password accepted or checked past the login limit,
 * clients that read nothing still open after the heartbeat's bound, and what the histories' checker found.
 */
class OverloadCheckerTest {

    static final Limits LIMITS = new Limits(50, 500, 5, 60, 2, 2.0, 0, 45, 10);

    /** A histogram of {@code n} deliveries at {@code ms} and one at {@code tailMs}. */
    static Latency latency(long n, long ms, long tailMs) {
        Latency l = Latency.empty();
        l.buckets()[Latency.bucket(ms)] += n;
        l.buckets()[Latency.bucket(tailMs)] += 1;
        return l;
    }

    static Phase phase(String name, Latency latency, Map<String, Long> abusers, Map<String, Long> server) {
        return new Phase(name, 60, latency, 100, 0, 30, 0, abusers, server);
    }

    /** Every abuse once, each meeting its documented end; the p99s 20 ms quiet and 35 ms under abuse. */
    static List<Phase> clean() {
        List<Phase> phases = new ArrayList<>();
        phases.add(phase("quiet", latency(1000, 19, 500), Map.of(), Map.of()));
        phases.add(phase("slow-readers", latency(1000, 34, 500), Map.of("slow.paused", 200L, "slow.outcome.closed", 200L),
                Map.of()));
        phases.add(phase("flood", latency(1000, 34, 500), Map.of("flood.connect", 150L, "flood.disconnect.transport close",
                150L), Map.of("eventsLimited", 150L, "handshakesRefusedCooldown", 300L)));
        phases.add(phase("storm-one", latency(1000, 34, 500), Map.of("storm.sent", 300_000L, "storm.addresses", 1L,
                "storm.status.200", 2000L, "storm.status.429", 298_000L), Map.of()));
        phases.add(phase("guesser", latency(1000, 34, 500), Map.of("guess.attempts", 5000L,
                "guess.refused.invalid credentials", 10L, "guess.refused.too many failed logins, retry in N s", 4990L),
                Map.of("adminLogins.checked", 10L)));
        return phases;
    }

    static List<String> rules(List<Phase> phases, UnaryOperator<Run> change) {
        Run run = change.apply(new Run(phases, List.of(), false, false, LIMITS));
        return OverloadChecker.check(run).stream().map(v -> v.rule() + " " + v.who()).toList();
    }

    /** The clean run with one phase's abusers' or server's counters changed. */
    static List<Phase> with(String phase, Map<String, Long> abusers, Map<String, Long> server) {
        List<Phase> phases = new ArrayList<>();
        for (Phase p : clean()) {
            if (!p.name().equals(phase)) {
                phases.add(p);
                continue;
            }
            Map<String, Long> a = new HashMap<>(p.abusers());
            a.putAll(abusers);
            Map<String, Long> s = new HashMap<>(p.server());
            s.putAll(server);
            phases.add(new Phase(p.name(), p.seconds(), p.latency(), p.acks(), p.ackFailures(), p.ackP99Ms(), p.disconnects(),
                    a, s));
        }
        return phases;
    }

    @Test
    void aCleanRunPasses() {
        assertThat(rules(clean(), r -> r)).isEmpty();
    }

    @Test
    void theP99IsTheBucketOfTheNinetyNinthPercentile() {
        // 1000 at 19 ms and one at 500 ms: the 99th percentile is in the 19 ms bucket, whose upper bound is 20
        assertThat(latency(1000, 19, 500).quantile(0.99)).isEqualTo(20);
        assertThat(latency(1000, 19, 500).quantile(1.0)).isEqualTo(510);
        assertThat(Latency.upper(Latency.bucket(4321))).isEqualTo(4400);
        assertThat(Latency.bucket(12_000)).isEqualTo(Latency.SIZE - 1);
    }

    @Test
    void aP99OverTheBoundIsReported() {
        List<Phase> phases = clean();
        // 50 of 1000 at 41 ms: the p99 is 42 ms against a bound of 2 x 20 = 40
        Latency slow = latency(950, 10, 10);
        slow.buckets()[Latency.bucket(41)] += 50;
        phases.set(2, phase("flood", slow, phases.get(2).abusers(), phases.get(2).server()));
        assertThat(rules(phases, r -> r)).containsExactly("latency flood");
        assertThat(OverloadChecker.bound(new Run(phases, List.of(), false, false, LIMITS))).isEqualTo(40);
        // the same with 5 ms of slack passes
        Limits slack = new Limits(50, 500, 5, 60, 2, 2.0, 5, 45, 10);
        assertThat(rules(phases, r -> new Run(r.phases(), r.histories(), false, false, slack))).isEmpty();
    }

    @Test
    void aPhaseWithoutDeliveriesIsReported() {
        List<Phase> phases = clean();
        phases.set(1, phase("slow-readers", Latency.empty(), phases.get(1).abusers(), Map.of()));
        assertThat(rules(phases, r -> r)).containsExactly("latency slow-readers");
    }

    @Test
    void aDisconnectedClientAndAFailedAcknowledgementAreReported() {
        List<Phase> phases = clean();
        Phase p = phases.get(3);
        phases.set(3, new Phase(p.name(), p.seconds(), p.latency(), 100, 2, 30, 1, p.abusers(), p.server()));
        assertThat(rules(phases, r -> r)).containsExactlyInAnyOrder("disconnect storm-one", "ack storm-one");
    }

    @Test
    void aWorkerOutOfMemoryOrReplacedIsReported() {
        assertThat(rules(clean(), r -> new Run(r.phases(), r.histories(), true, false, LIMITS))).containsExactly("memory server");
        assertThat(rules(clean(), r -> new Run(r.phases(), r.histories(), false, true, LIMITS))).containsExactly("memory server");
    }

    @Test
    void whatTheHistoriesCheckerFoundIsReported() {
        Checker.Violation loss = new Checker.Violation("loss", "s3", "#7 never received");
        assertThat(rules(clean(), r -> new Run(r.phases(), List.of(loss), false, false, LIMITS))).containsExactly("loss s3");
    }

    @Test
    void floodersNeverLimitedAreReported() {
        assertThat(rules(with("flood", Map.of(), Map.of("eventsLimited", 0L)), r -> r)).containsExactly("flood flood");
        assertThat(rules(with("flood", Map.of("flood.disconnect.transport close", 0L), Map.of()), r -> r))
                .containsExactly("flood flood");
    }

    @Test
    void floodersNeverRefusedInTheirCooldownAreReported() {
        assertThat(rules(with("flood", Map.of(), Map.of("handshakesRefusedCooldown", 0L)), r -> r))
                .containsExactly("flood flood");
        Limits off = new Limits(50, 500, 5, 60, 2, 2.0, 0, 45, 0);
        assertThat(rules(with("flood", Map.of(), Map.of("handshakesRefusedCooldown", 0L)),
                r -> new Run(r.phases(), List.of(), false, false, off))).as("no cooldown configured").isEmpty();
    }

    @Test
    void aStormPastItsLimitsIsReported() {
        // one address, two workers, 60 s: at most 2 x (500 + 50 x 60) = 7000 sessions
        assertThat(rules(with("storm-one", Map.of("storm.status.200", 7000L), Map.of()), r -> r)).isEmpty();
        assertThat(rules(with("storm-one", Map.of("storm.status.200", 7001L), Map.of()), r -> r))
                .containsExactly("storm storm-one");
        // 503: the process at its max-connections, an answer the design gives
        assertThat(rules(with("storm-one", Map.of("storm.status.503", 1L), Map.of()), r -> r)).isEmpty();
        assertThat(rules(with("storm-one", Map.of("storm.status.500", 1L), Map.of()), r -> r)).containsExactly("storm storm-one");
        assertThat(rules(with("storm-one", Map.of("storm.error.ECONNRESET", 1L), Map.of()), r -> r))
                .containsExactly("storm storm-one");
        assertThat(rules(with("storm-one", Map.of("storm.status.200", 0L, "storm.status.429", 0L), Map.of()), r -> r))
                .containsExactly("storm storm-one");
    }

    @Test
    void aGuesserLetInOrCheckedPastTheLimitIsReported() {
        assertThat(rules(with("guesser", Map.of("guess.accepted", 1L), Map.of()), r -> r)).containsExactly("guess guesser");
        // two workers, 5 failures each per window of 60 s, a phase of 60 s spanning two windows: 20 checks at most
        assertThat(rules(with("guesser", Map.of("guess.refused.invalid credentials", 20L),
                Map.of("adminLogins.checked", 20L)), r -> r)).isEmpty();
        assertThat(rules(with("guesser", Map.of("guess.refused.invalid credentials", 21L),
                Map.of("adminLogins.checked", 21L)), r -> r)).containsExactly("guess guesser");
        assertThat(rules(with("guesser", Map.of("guess.refused.too many failed logins, retry in N s", 0L), Map.of()),
                r -> r)).containsExactly("guess guesser");
        // the servers' own count of passwords checked: past the limit although the guesser was told of fewer
        assertThat(rules(with("guesser", Map.of(), Map.of("adminLogins.checked", 21L)), r -> r))
                .containsExactly("guess guesser");
        // fewer checks counted than wrong passwords told: the workers' figures miss them
        assertThat(rules(with("guesser", Map.of(), Map.of("adminLogins.checked", 9L)), r -> r))
                .containsExactly("guess guesser");
        // none told and none counted (the address still refused from an earlier phase): nothing to report
        assertThat(rules(with("guesser", Map.of("guess.refused.invalid credentials", 0L),
                Map.of("adminLogins.checked", 0L)), r -> r)).isEmpty();
    }

    @Test
    void clientsThatReadNothingStillOpenAfterTheHeartbeatAreReported() {
        assertThat(rules(with("slow-readers", Map.of("slow.outcome.open", 1L), Map.of()), r -> r))
                .containsExactly("slow slow-readers");
        // a phase shorter than the heartbeat's bound: still open is what the design allows
        List<Phase> phases = with("slow-readers", Map.of("slow.outcome.open", 200L), Map.of());
        Phase p = phases.get(1);
        phases.set(1, new Phase(p.name(), 15, p.latency(), p.acks(), 0, 30, 0, p.abusers(), p.server()));
        assertThat(rules(phases, r -> r)).isEmpty();
    }
}
