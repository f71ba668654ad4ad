package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.SocketIoSocket;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code socket.io/test/connection-state-recovery.ts} with recovery off, the default (the module's application). Node's
 * last case checks with an adapter of its own that nothing is persisted or restored; here the same is seen from
 * outside: a CONNECT that names a session is answered as a new one, without a private session id.
 */
@QuarkusTest
@NodeFile("socket.io/test/connection-state-recovery.ts")
class ConnectionStateRecoveryOffCasesTest extends RecoveryCases {

    @Test
    @NodeCase("connection state recovery > should be disabled by default")
    void noPrivateSessionIdWithoutRecovery() throws Exception {
        String eio = handshake();
        push(eio, "40" + NSP + ",");
        JsonNode answer = connectAnswer(eio);
        assertThat(answer.path("sid").asText()).isNotEmpty();
        assertThat(answer.has("pid")).isFalse();
    }

    @Test
    @NodeCase("connection state recovery > should not call adapter#persistSession or adapter#restoreSession if disabled")
    void aSessionNamedInTheConnectIsNotRestored() throws Exception {
        String eio = handshake();
        push(eio, "40" + NSP + ",{\"pid\":\"foo\",\"offset\":\"bar\"}");
        JsonNode answer = connectAnswer(eio);
        String sid = answer.path("sid").asText();
        assertThat(sid).isNotEmpty().isNotEqualTo("foo");
        assertThat(answer.has("pid")).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> io.of(NSP).socket(sid) != null);
        SocketIoSocket socket = io.of(NSP).socket(sid);
        assertThat(socket.recovered()).isFalse();
        push(eio, "1");
    }
}
