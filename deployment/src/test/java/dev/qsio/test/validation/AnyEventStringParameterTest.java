package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnAnyEvent;
import dev.qsio.OnDisconnecting;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** A catch-all handler takes the socket and EventArgs, a disconnecting one the socket and a reason: both reported. */
class AnyEventStringParameterTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> {
                Failures.assertHandlerProblem(t, "OnAnyEvent", Handlers.class, "any")
                        .contains("java.lang.String is not allowed", "SocketIoSocket and EventArgs");
                Failures.assertHandlerProblem(t, "OnDisconnecting", Handlers.class, "leaving")
                        .contains("returns java.lang.String", "return void, Uni<Void> or CompletionStage<Void>");
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnAnyEvent
        void any(SocketIoSocket socket, String event) {
        }

        @OnDisconnecting
        String leaving(SocketIoSocket socket) {
            return "no";
        }
    }
}
