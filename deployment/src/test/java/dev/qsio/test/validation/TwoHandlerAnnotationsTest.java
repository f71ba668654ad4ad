package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.SocketIo;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class TwoHandlerAnnotationsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertBuildProblem(t)
                    .contains(Handlers.class.getName() + "#both()", "several handler annotations", "@OnConnect",
                            "@OnDisconnect"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnConnect
        @OnDisconnect
        void both() {
        }
    }
}
