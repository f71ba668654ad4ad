package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIoServer;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketIoServerImpl;
import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.SocketIoConnector;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;

/**
 * Off by default: no admin namespace, no page, and the sockets are not observed (their data is a plain map, made only
 * when used).
 */
class AdminUiDisabledTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class))
            // a username and no password would fail startup if the Admin UI were on
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin");

    @Inject
    SocketIoServer io;

    @Test
    void nothingOfItExists() {
        assertThat(SocketIoConnector.create().namespace("/admin").connectAndAwaitRefusal().getMessage())
                .contains("Invalid namespace");
        try (ClientSocket user = SocketIoConnector.create().namespace("/chat").connectAndAwait()) {
            assertThat(user.emitAndAwaitAck("name", "ada").arg().asText()).isEqualTo("named");
            var socket = io.of("/chat").socket(user.id());
            assertThat(socket.data().getClass()).isEqualTo(java.util.concurrent.ConcurrentHashMap.class);
        }
        assertThat(((SocketIoServerImpl) io).namespaces()).extracting(Namespace::name).doesNotContain("/admin");
        RestAssured.get("/q/socketio/admin/").then().statusCode(404);
    }
}
