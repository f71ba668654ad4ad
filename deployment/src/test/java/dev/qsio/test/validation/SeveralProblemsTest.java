package dev.qsio.test.validation;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.OnDisconnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.RunOnVirtualThread;

/** A build with several invalid handlers reports all of them at once, each naming its class and method. */
class SeveralProblemsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Failures.class))
            .assertException(t -> Failures.assertBuildProblem(t)
                    .contains("3 Socket.IO handler problems")
                    .contains("Invalid @OnConnect method " + Handlers.class.getName() + "#connected()", "returns java.lang.String")
                    .contains("Invalid @OnDisconnect method " + Handlers.class.getName() + "#left()",
                            "@OnDisconnect methods take the SocketIoSocket and a String reason")
                    .contains("Invalid @OnEvent method " + Handlers.class.getName() + "#both()",
                            "[@Blocking, @RunOnVirtualThread]; choose one execution model"));

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @SocketIo
    static class Handlers {
        @OnConnect
        String connected() {
            return "no";
        }

        @OnDisconnect
        void left(Integer code) {
        }

        @OnEvent("both")
        @Blocking
        @RunOnVirtualThread
        void both() {
        }
    }
}
