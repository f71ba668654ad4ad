package dev.qsio.test.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.RateLimit;
import dev.qsio.SocketIo;
import io.quarkus.test.QuarkusUnitTest;

/** A negative rate in {@code @OnEvent(rateLimit = ...)} fails the build, naming the method. */
class RateLimitAnnotationInvalidTest {

    @SocketIo("/")
    public static class Bad {

        @OnEvent(value = "post", rateLimit = @RateLimit(perSecond = -1))
        String post(String text) {
            return text;
        }
    }

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClass(Bad.class))
            .assertException(e -> assertThat(e).hasMessageContaining("RateLimitAnnotationInvalidTest$Bad#post()")
                    .hasMessageContaining("rateLimit's perSecond must be 0 (no limit) or more, got -1.0"));

    @Test
    void theBuildFails() {
        // the extension's assertion above is the test
    }
}
