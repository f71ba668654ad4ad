package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class DuplicateEngineEndpointTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(First.class, Second.class, Failures.class))
            .assertException(t -> Failures.assertBuildProblem(t)
                    .contains("@EngineIoEndpoint path /raw/", "is already used by", First.class.getName(),
                            Second.class.getName()));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @EngineIoEndpoint("/raw/")
    static class First implements EngineIoHandler {
        @Override
        public void onMessage(EngineIoSocket socket, String text) {
        }
    }

    // the same path, spelled without the trailing slash
    @EngineIoEndpoint("/raw")
    static class Second implements EngineIoHandler {
        @Override
        public void onMessage(EngineIoSocket socket, String text) {
        }
    }
}
