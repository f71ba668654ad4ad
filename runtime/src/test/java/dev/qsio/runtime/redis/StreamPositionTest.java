package dev.qsio.runtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A restoration waits until the stream's reader has applied the client's offset, and no longer than its bound. */
class StreamPositionTest {

    final Vertx vertx = Vertx.vertx();
    final StreamPosition position = new StreamPosition(vertx);

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void waitsUntilTheReaderHasAppliedTheOffset() {
        position.applied("1700000000000-0");
        position.batchApplied();
        Future<Void> restore = position.reached("1700000000005-2", 60_000);
        assertThat(restore.isComplete()).as("the reader is behind the client's offset").isFalse();
        position.applied("1700000000005-1");
        position.batchApplied();
        assertThat(restore.isComplete()).as("an entry before the offset").isFalse();
        position.applied("1700000000005-2");
        assertThat(restore.isComplete()).as("applied, but the read's entries not all applied yet").isFalse();
        position.batchApplied();
        assertThat(restore.succeeded()).isTrue();
    }

    @Test
    void anOffsetTheReaderHasPassedOrCannotPlaceWaitsForNothing() {
        position.applied("1700000000010-0");
        assertThat(position.reached("1700000000009-99", 60_000).succeeded()).isTrue();
        assertThat(position.reached("1700000000010-0", 60_000).succeeded()).isTrue();
        // the ids compare as numbers, not text
        assertThat(position.reached("999999999999-0", 60_000).succeeded()).isTrue();
        assertThat(position.reached("not-an-offset", 60_000).succeeded()).isTrue();
        assertThat(position.reached("pending-3", 60_000).succeeded()).isTrue();
    }

    @Test
    void aReaderThatHasAppliedNothingYetHoldsNoOneBack() {
        assertThat(position.lastId()).isEqualTo("$");
        assertThat(position.reached("1700000000000-0", 60_000).succeeded()).isTrue();
    }

    @Test
    void aReaderThatDoesNotReadHoldsTheRestorationBackOnlyForItsBound() {
        position.applied("1700000000000-0");
        Future<Void> restore = position.reached("1700000000001-0", 200);
        await().atMost(Duration.ofSeconds(10)).until(restore::isComplete);
        assertThat(restore.succeeded()).isTrue();
        // it no longer waits: a later read does not complete it twice
        position.applied("1700000000002-0");
        position.batchApplied();
    }
}
