package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code socket.io/test/connection-state-recovery.ts} with {@code skipMiddlewares: false}
 * ({@code quarkus.socketio.connection-state-recovery.skip-middlewares=false}): the namespace's middleware runs again
 * when a session is restored. The namespace and the steps are {@link RecoveryCases}'.
 */
@QuarkusTest
@TestProfile(ConnectionStateRecoveryMiddlewareCasesTest.RunMiddleware.class)
@NodeFile("socket.io/test/connection-state-recovery.ts")
class ConnectionStateRecoveryMiddlewareCasesTest extends RecoveryCases {

    public static class RunMiddleware implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.connection-state-recovery.enabled", "true",
                    "quarkus.socketio.connection-state-recovery.skip-middlewares", "false");
        }
    }

    @Test
    @NodeCase("connection state recovery > should run middlewares even upon recovery")
    void middlewareRunsAgainOnRecovery() throws Exception {
        Session s = init();
        SocketIoSocket socket = recovered(s);
        assertThat(socket.data().get("middlewareRuns")).hasToString("2");
    }
}
