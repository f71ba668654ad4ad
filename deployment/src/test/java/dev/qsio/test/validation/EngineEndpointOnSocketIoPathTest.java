package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EngineIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class EngineEndpointOnSocketIoPathTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Raw.class, Failures.class))
            .assertException(t -> Failures.assertBuildProblem(t)
                    .contains("@EngineIoEndpoint path /socket.io/ of " + Raw.class.getName(),
                            "already used by the Socket.IO server (quarkus.socketio.path)"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @EngineIoEndpoint("/socket.io/")
    static class Raw implements EngineIoHandler {
        @Override
        public void onMessage(EngineIoSocket socket, String text) {
        }
    }
}
