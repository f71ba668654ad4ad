package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class NamespaceWithoutSlashTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertBuildProblem(t)
                    .contains("@SocketIo on " + Handlers.class.getName(), "namespace 'chat'", "must start with '/'"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo("chat")
    static class Handlers {
        @OnConnect
        void connected() {
        }
    }
}
