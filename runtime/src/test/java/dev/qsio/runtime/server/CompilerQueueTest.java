package dev.qsio.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import org.junit.jupiter.api.Test;

/**
 * The warm-up's wait for the JIT compiler, on a clock of the test's own: the compilers' time is a function of the
 * wall clock, as a busy or an idle compiler thread makes it.
 */
class CompilerQueueTest {

    /** A wall clock that moves only when the wait sleeps, and the compilers' time as a function of it (ms). */
    private static final class Clock {
        long nanos = TimeUnit.SECONDS.toNanos(100);
        final long startMillis = TimeUnit.NANOSECONDS.toMillis(nanos);
        final LongUnaryOperator compilerAtElapsed;

        Clock(LongUnaryOperator compilerAtElapsed) {
            this.compilerAtElapsed = compilerAtElapsed;
        }

        CompilerQueue queue() {
            return new CompilerQueue(() -> compilerAtElapsed.applyAsLong(TimeUnit.NANOSECONDS.toMillis(nanos) - startMillis),
                    () -> nanos, ms -> nanos += TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }

    @Test
    void anIdleCompilerIsQuietAfterOneWindow() throws InterruptedException {
        Clock clock = new Clock(ms -> 5_000);
        CompilerQueue.Wait wait = clock.queue().await(20_000);
        assertThat(wait.quiet()).isTrue();
        assertThat(wait.millis()).isEqualTo(CompilerQueue.WINDOW_MS);
    }

    @Test
    void aBusyCompilerIsWaitedForUntilItsQueueEmpties() throws InterruptedException {
        // one compiler thread busy for the first 6 s (its time grows with the wall clock), then a compile now and then
        Clock clock = new Clock(ms -> ms < 6_000 ? ms : 6_000 + (ms - 6_000) / 50);
        CompilerQueue.Wait wait = clock.queue().await(20_000);
        assertThat(wait.quiet()).isTrue();
        // quiet once a whole window after the 6 s shows little: between 6 s and 7.2 s
        assertThat(wait.millis()).isBetween(6_000L + CompilerQueue.WINDOW_MS - 200, 6_000L + CompilerQueue.WINDOW_MS + 200);
    }

    @Test
    void twoBusyCompilerThreadsAreNotQuietEither() throws InterruptedException {
        Clock clock = new Clock(ms -> ms < 3_000 ? 2 * ms : 6_000);
        CompilerQueue.Wait wait = clock.queue().await(20_000);
        assertThat(wait.quiet()).isTrue();
        assertThat(wait.millis()).isBetween(3_000L + CompilerQueue.WINDOW_MS - 200, 3_000L + CompilerQueue.WINDOW_MS + 200);
    }

    @Test
    void aCompilerStillBusyAtTheBoundIsLeft() throws InterruptedException {
        Clock clock = new Clock(ms -> ms);
        CompilerQueue.Wait wait = clock.queue().await(2_500);
        assertThat(wait.quiet()).isFalse();
        assertThat(wait.millis()).isEqualTo(2_500);
    }

    @Test
    void aCompilerAtTheQuietShareIsQuiet() throws InterruptedException {
        // a tenth of the wall clock: at the line, which counts as quiet; a little more never is
        Clock atLine = new Clock(ms -> (long) (ms * CompilerQueue.QUIET_SHARE));
        assertThat(atLine.queue().await(5_000).quiet()).isTrue();
        Clock above = new Clock(ms -> (long) (ms * CompilerQueue.QUIET_SHARE * 1.5));
        assertThat(above.queue().await(5_000).quiet()).isFalse();
    }

    @Test
    void noBoundNoWait() throws InterruptedException {
        Clock clock = new Clock(ms -> ms);
        CompilerQueue.Wait wait = clock.queue().await(0);
        assertThat(wait).isEqualTo(new CompilerQueue.Wait(0, false));
    }

    @Test
    void thisJvmTellsItsCompilersTime() throws InterruptedException {
        CompilerQueue queue = CompilerQueue.ofThisJvm();
        assertThat(queue).as("HotSpot tells its compilers' time").isNotNull();
        assertThat(queue.await(50).millis()).isLessThanOrEqualTo(5_000);
    }
}
