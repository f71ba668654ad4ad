package dev.qsio.runtime.clusteradapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.sun.management.ThreadMXBean;

import dev.qsio.runtime.clusteradapter.AdapterMessage.Origin;
import dev.qsio.runtime.spans.Tracing;

/**
 * Without tracing (OpenTelemetry absent or disabled: the server's {@link Tracing} is {@link Tracing#NONE}), what a
 * broadcast asks of the hooks on the sender (its span, the trace context for the cluster message) and on the other
 * servers (whether tracing is on) allocates nothing: the bytes this thread allocated are counted around many
 * broadcasts' worth of calls (the bench measures the whole path: the tracing page of the docs).
 */
class TracingOffTest {

    static final Origin ORIGIN = new Origin("host/1", 1, "host");
    static final Set<String> ROOMS = Set.of("r");
    static final int BROADCASTS = 100_000;

    int work;

    /** The calls of one broadcast, as Namespace.broadcast, ClusterHub.broadcast and ClusterHub.onBroadcast make them. */
    Origin oneBroadcast(Tracing tracing) {
        Tracing.Span span = tracing.sending(Tracing.Send.BROADCAST, "/", "news", null, ROOMS, Set.of());
        Origin sent;
        try (Tracing.Scope scope = span.enter()) {
            sent = ORIGIN.traced(tracing.context());
        }
        span.end(null);
        if (tracing.enabled()) {
            work++;
        }
        return sent;
    }

    @Test
    void theHooksOfABroadcastAllocateNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Origin last = oneBroadcast(Tracing.NONE);
        threads.getCurrentThreadAllocatedBytes();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < BROADCASTS; i++) {
            last = oneBroadcast(Tracing.NONE);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // one object per broadcast would be 16 bytes or more each; what the JVM itself allocates once (a compilation's
        // transition into the loop) is a few hundred bytes in all
        assertThat(allocated).as("bytes allocated by %d broadcasts' hooks", BROADCASTS).isLessThan(BROADCASTS / 10);
        assertThat(last).as("the message's origin is the hub's own, without a trace context").isSameAs(ORIGIN);
        assertThat(last.trace()).isEmpty();
        assertThat(work).isZero();
    }

    @Test
    void aTraceContextIsCarriedOnlyWhenThereIsOne() {
        Map<String, String> context = Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(ORIGIN.traced(context).trace()).isEqualTo(context);
        assertThat(ORIGIN.traced(Map.of())).isSameAs(ORIGIN);
    }
}
