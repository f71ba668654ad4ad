package dev.qsio.test.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnBroadcast;
import dev.qsio.OnDisconnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.Failures;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Quarkus Security annotations where they cannot act fail the build, each named: on a disconnection handler, on an
 * {@code @OnBroadcast} method, two rules on one method, classes of one namespace that disagree, and a
 * {@code SecurityIdentity} parameter on a broadcast handler.
 */
class MisplacedSecurityAnnotationsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class, Other.class, Failures.class))
            .assertException(t -> {
                Failures.assertHandlerProblem(t, "OnDisconnect", Handlers.class, "left")
                        .contains("Quarkus Security annotation", "nothing to refuse");
                Failures.assertHandlerProblem(t, "OnBroadcast", Handlers.class, "relayed")
                        .contains("SecurityIdentity", "not available");
                String all = String.valueOf(Failures.rootCause(t).getMessage());
                assertThat(all).contains("carries several Quarkus Security annotations");
                assertThat(all).contains("the classes of one namespace must agree");
            });

    @Test
    void buildFails() {
        fail("the build should have failed");
    }

    @RolesAllowed("admin")
    @SocketIo("/guarded")
    static class Handlers {
        @RolesAllowed("admin")
        @OnDisconnect
        void left(SocketIoSocket socket, String reason) {
        }

        @OnBroadcast("news")
        void relayed(SecurityIdentity identity, String text) {
        }

        @Authenticated
        @PermitAll
        @OnEvent("both")
        void both() {
        }
    }

    @Authenticated
    @SocketIo("/guarded")
    static class Other {
        @OnEvent("other")
        void other() {
        }
    }
}
