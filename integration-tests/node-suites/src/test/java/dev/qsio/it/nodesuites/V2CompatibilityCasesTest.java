package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code socket.io/test/v2-compatibility.ts} with {@code allowEIO3: true}: here {@code quarkus.socketio.allow-eio3},
 * an application of its own. The client is the official {@code socket.io-client} 2.x. The case with the default
 * (off) is {@link V2CompatibilityOffCasesTest}.
 */
@QuarkusTest
@TestProfile(V2CompatibilityCasesTest.AllowEio3.class)
@NodeFile("socket.io/test/v2-compatibility.ts")
class V2CompatibilityCasesTest extends NodeCases {

    public static class AllowEio3 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.allow-eio3", "true");
        }
    }

    static final Map<String, Object> V2 = Map.of("generation", 2, "multiplex", false, "query", Map.of("case", "v2"));

    /** The main namespace is the module's, shared by every class: only this file's clients (query {@code case=v2}). */
    @SocketIo("/")
    static class Main {
        @OnConnect
        void connect(SocketIoSocket socket) {
            if ("v2".equals(socket.handshake().queryParam("case"))) {
                socket.emit("outcome", socket.id());
            }
        }
    }

    @SocketIo("/the-namespace")
    static class TheNamespace {
        @OnConnect
        void connect(SocketIoSocket socket) {
            ObjectNode seen = JsonNodeFactory.instance.objectNode();
            seen.set("auth", socket.handshake().auth());
            socket.emit("outcome", seen);
        }
    }

    /** The server's socket id is the one the 2.x client computes (its connection's id, in the main namespace). */
    @Test
    @NodeCase("v2 compatibility > should connect if `allowEIO3` is true")
    void aV2ClientConnects() {
        String id = connect("/", V2, Map.of());
        JsonNode connected = driver.await(id, "connect");
        JsonNode outcome = driver.awaitEmit(id, "outcome").get("args");
        assertThat(outcome.get(0).asText()).isEqualTo(connected.path("sid").asText()).isNotEmpty();
    }

    /** The 2.x client names the namespace's query in its CONNECT packet; it is the socket's {@code auth} here. */
    @Test
    @NodeCase("v2 compatibility > should be able to connect to a namespace with a query")
    void aV2ClientsNamespaceQueryIsItsAuth() {
        String id = connect("/the-namespace", Map.of("generation", 2, "multiplex", false,
                "query", Map.of("test", "123")), Map.of());
        JsonNode seen = driver.awaitEmit(id, "outcome").get("args").get(0);
        assertThat(seen.path("auth").toString()).isEqualTo("{\"test\":\"123\"}");
    }
}
