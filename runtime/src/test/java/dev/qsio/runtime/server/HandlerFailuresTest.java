package dev.qsio.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that makes a handler fail on every packet cannot flood the log: each kind of failure is logged with its
 * stack trace once, then summarised; every failure is counted. Room names are checked where they enter the API.
 */
class HandlerFailuresTest {

    final List<LogRecord> errors = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stop() {
        Logger.getLogger("").removeHandler(capture);
    }

    private static RuntimeException failure(String message) {
        try {
            Rooms.named("to", (String) null);
        } catch (IllegalArgumentException e) {
            return new IllegalStateException(message, e);
        }
        throw new AssertionError();
    }

    @Test
    void aThousandFailuresOfOneKindGiveOneStackTraceAndOneSummary() {
        LongAdder counted = new LongAdder();
        HandlerFailures failures = new HandlerFailures(counted);
        for (int i = 0; i < 1000; i++) {
            failures.report(failure("packet " + i), "in namespace / (socket s" + i + ")");
        }
        assertThat(counted.sum()).isEqualTo(1000);
        assertThat(errors.stream().filter(r -> r.getThrown() != null)).as("stack traces logged").hasSize(1);
        assertThat(errors).as("lines logged: the first failure, then one summary per interval").hasSize(2);
        String summary = new SimpleFormatter().formatMessage(errors.get(1));
        assertThat(summary).contains("already logged: 1 since the last such line").contains("packet 1")
                .doesNotContain("\tat ");
    }

    @Test
    void kindsRememberedAreBounded() {
        HandlerFailures failures = new HandlerFailures(new LongAdder());
        for (int i = 0; i < HandlerFailures.MAX_KINDS + 200; i++) {
            // each from its own line of a generated stack: a kind of its own
            RuntimeException e = new RuntimeException("kind " + i);
            e.setStackTrace(new StackTraceElement[] { new StackTraceElement("Gen", "m" + i, "Gen.java", i) });
            failures.report(e, "here");
        }
        assertThat(errors.stream().filter(r -> r.getThrown() != null)).hasSize(HandlerFailures.MAX_KINDS);
    }

    @Test
    void aNullRoomIsRefusedWithAMessageThatSaysSo() {
        assertThatThrownBy(() -> Rooms.named("to", (String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to(...) got a null room name");
        assertThatThrownBy(() -> Rooms.named("except", (String[]) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("except(...) needs room names");
        assertThat(Rooms.named("join", "a", "b", "a")).containsExactly("a", "b");
    }
}
