package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnBroadcast;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

class SocketInBroadcastTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Listener.class, Failures.class))
            .assertException(t -> Failures.assertHandlerProblem(t, "OnBroadcast", Listener.class, "news")
                    .contains("dev.qsio.SocketIoSocket is not available", "a broadcast has no socket"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @ApplicationScoped
    static class Listener {
        @OnBroadcast("news")
        void news(SocketIoSocket socket, String text) {
        }
    }
}
