package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnDisconnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class DisconnectIntegerParameterTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertHandlerProblem(t, "OnDisconnect", Handlers.class, "gone")
                    .contains("java.lang.Integer is not allowed", "SocketIoSocket and a String reason"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnDisconnect
        void gone(SocketIoSocket socket, Integer code) {
        }
    }
}
