package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class EngineEndpointWithoutHandlerTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(NotAHandler.class, Failures.class))
            .assertException(t -> Failures.assertBuildProblem(t)
                    .contains("@EngineIoEndpoint class " + NotAHandler.class.getName(),
                            "must implement dev.qsio.EngineIoHandler"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @EngineIoEndpoint("/raw/")
    static class NotAHandler {
        void onMessage(Object socket, String text) {
        }
    }
}
