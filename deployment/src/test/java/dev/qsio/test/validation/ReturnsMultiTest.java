package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Multi;

class ReturnsMultiTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertHandlerProblem(t, "OnEvent", Handlers.class, "stream")
                    .contains("returns Multi, which is not supported"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnEvent("stream")
        Multi<String> stream() {
            return Multi.createFrom().items("a", "b");
        }
    }
}
