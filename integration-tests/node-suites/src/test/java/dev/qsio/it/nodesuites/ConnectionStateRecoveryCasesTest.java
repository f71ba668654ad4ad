package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code socket.io/test/connection-state-recovery.ts} with recovery on ({@code quarkus.socketio.connection-state-recovery
 * .enabled}, Node's {@code connectionStateRecovery: {}}), over raw Engine.IO polling as Node's cases are, on the
 * namespace {@code /csr}. Node's cases with recovery off run in {@link ConnectionStateRecoveryOffCasesTest} (the
 * module's application, where it is off), the one with {@code skipMiddlewares: false} in
 * {@link ConnectionStateRecoveryMiddlewareCasesTest}.
 */
@QuarkusTest
@TestProfile(ConnectionStateRecoveryCasesTest.On.class)
@NodeFile("socket.io/test/connection-state-recovery.ts")
class ConnectionStateRecoveryCasesTest extends RecoveryCases {

    public static class On implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.connection-state-recovery.enabled", "true");
        }
    }

    @Test
    @NodeCase("connection state recovery > should restore session and missed packets")
    void theSessionAndItsMissedPacketsComeBack() throws Exception {
        Session s = init();
        io.of(NSP).emit("hello1");
        io.of(NSP).to("room1").emit("hello2");
        s.socket().emit("hello3");
        String eio = recover(s);
        List<String> packets = poll(eio);
        // Node sends the missed packets first and the CONNECT's answer last; here the answer comes first, then the
        // missed packets in their order (the official client takes either, see node-suites.adoc)
        assertThat(packets).hasSize(4);
        assertThat(packets.get(0)).isEqualTo("40" + NSP + ",{\"sid\":\"" + s.sid() + "\",\"pid\":\"" + s.pid() + "\"}");
        assertThat(packets.get(1)).startsWith("42" + NSP + ",[\"hello1\"");
        assertThat(packets.get(2)).startsWith("42" + NSP + ",[\"hello2\"");
        assertThat(packets.get(3)).startsWith("42" + NSP + ",[\"hello3\"");
    }

    @Test
    @NodeCase("connection state recovery > should restore rooms and data attributes")
    void roomsAndDataComeBack() throws Exception {
        Session s = init();
        SocketIoSocket socket = recovered(s);
        assertThat(socket.rooms()).contains(s.sid(), "room1", "room2");
        assertThat(socket.data()).containsEntry("foo", "bar");
    }

    @Test
    @NodeCase("connection state recovery > should not run middlewares upon recovery by default")
    void middlewareDoesNotRunAgainOnRecovery() throws Exception {
        Session s = init();
        SocketIoSocket socket = recovered(s);
        assertThat(socket.data().get("middlewareRuns")).hasToString("1");
    }

    @Test
    @NodeCase("connection state recovery > should fail to restore an unknown session")
    void anUnknownSessionGetsANewOne() throws Exception {
        String eio = handshake();
        push(eio, "40" + NSP + ",{\"pid\":\"foo\",\"offset\":\"bar\"}");
        JsonNode handshake = connectAnswer(eio);
        assertThat(handshake.path("sid").asText()).isNotEmpty().isNotEqualTo("foo");
        assertThat(handshake.path("pid").asText()).isNotEmpty().isNotEqualTo("bar");
    }
}
