package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIo;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A {@code @SocketIo} class without handler methods still declares its namespace (as Node's {@code io.of(name)}
 * without listeners): clients connect to it, by name or by pattern; a name nothing declares is refused.
 */
class EmptyDeclarationsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Quiet.class, Rooms.class, JavaClient.class));

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @SocketIo("/quiet")
    public static class Quiet {
    }

    @SocketIo(pattern = "/room-\\d+")
    public static class Rooms {
    }

    @Test
    void declaredNamespacesAcceptClients() throws Exception {
        try (JavaClient quiet = JavaClient.connect(port, "/quiet", Map.of());
                JavaClient room = JavaClient.connect(port, "/room-7", Map.of());
                JavaClient other = JavaClient.connect(port, "/other", Map.of())) {
            assertThat(quiet.awaitConnected()).isNotEmpty();
            assertThat(room.awaitConnected()).isNotEmpty();
            Object error = other.connectError.get(10, TimeUnit.SECONDS);
            assertThat(((JSONObject) error).getString("message")).isEqualTo("Invalid namespace");
        }
    }
}
