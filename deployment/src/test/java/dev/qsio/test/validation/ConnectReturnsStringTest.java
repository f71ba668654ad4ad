package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class ConnectReturnsStringTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertHandlerProblem(t, "OnConnect", Handlers.class, "connected")
                    .contains("returns java.lang.String", "return void, Uni<Void> or CompletionStage<Void>"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnConnect
        String connected() {
            return "hello";
        }
    }
}
