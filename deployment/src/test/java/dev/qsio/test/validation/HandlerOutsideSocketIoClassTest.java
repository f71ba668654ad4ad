package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class HandlerOutsideSocketIoClassTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(NotANamespace.class, Failures.class))
            .assertException(t -> Failures.assertHandlerProblem(t, "OnEvent", NotANamespace.class, "ping")
                    .contains("declared in a class without @SocketIo"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @ApplicationScoped
    static class NotANamespace {
        @OnEvent("ping")
        String ping() {
            return "pong";
        }
    }
}
