package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.BroadcastContext;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class BroadcastContextInEventTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertHandlerProblem(t, "OnEvent", Handlers.class, "chat")
                    .contains("dev.qsio.BroadcastContext is only available to @OnBroadcast methods"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnEvent("chat")
        void chat(String text, BroadcastContext context) {
        }
    }
}
