package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.Middleware;
import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;

/**
 * What the cases of {@code connection-state-recovery.ts} share: their namespace and Node's {@code init} (a session
 * that connected, received a broadcast and left), over raw Engine.IO polling.
 */
abstract class RecoveryCases extends NodeCases {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String NSP = "/csr";

    /** The namespace of these cases: its first connection joins room1 and room2 and sets data; middleware counts. */
    @SocketIo(NSP)
    static class Recovering {
        @Middleware
        void count(SocketIoSocket socket) {
            // a number, as the restored data holds it (a session's data comes back through JSON)
            socket.data().merge("middlewareRuns", 1, (a, b) -> ((Number) a).intValue() + 1);
        }

        @OnConnect
        void connect(SocketIoSocket socket) {
            if (!socket.recovered()) {
                socket.join("room1", "room2");
                socket.data().put("foo", "bar");
            }
        }
    }

    @Inject
    SocketIoServer io;

    record Session(String sid, String pid, String offset, SocketIoSocket socket) {
    }

    /** Node's init: a session connected to the namespace, a broadcast received (its offset), then the client leaves. */
    Session init() throws Exception {
        String eio = handshake();
        push(eio, "40" + NSP + ",");
        List<String> handshake = poll(eio);
        assertThat(handshake.get(0)).startsWith("40" + NSP + ",");
        JsonNode answer = JSON.readTree(handshake.get(0).substring(("40" + NSP + ",").length()));
        String sid = answer.path("sid").asText();
        String pid = answer.path("pid").asText();
        assertThat(sid).isNotEmpty();
        assertThat(pid).as("with recovery on, the CONNECT's answer carries a private session id").isNotEmpty();
        io.of(NSP).emit("hello");
        List<String> message = poll(eio);
        assertThat(message.get(0)).startsWith("42" + NSP + ",[\"hello\"");
        JsonNode args = JSON.readTree(message.get(0).substring(("42" + NSP + ",").length()));
        String offset = args.get(1).asText();
        assertThat(offset).as("each broadcast carries its offset as its last argument").isNotEmpty();
        SocketIoSocket socket = io.of(NSP).socket(sid);
        assertThat(socket).isNotNull();
        push(eio, "1");
        await().atMost(Duration.ofSeconds(5)).until(() -> io.of(NSP).socket(sid) == null);
        return new Session(sid, pid, offset, socket);
    }

    String recover(Session s) throws Exception {
        String eio = handshake();
        push(eio, "40" + NSP + ",{\"pid\":\"" + s.pid() + "\",\"offset\":\"" + s.offset() + "\"}");
        return eio;
    }


    /** The JSON of the CONNECT answer a session's next poll carries, for this namespace. */
    JsonNode connectAnswer(String eio) throws Exception {
        String answer = poll(eio).get(0);
        assertThat(answer).startsWith("40" + NSP + ",");
        return JSON.readTree(answer.substring(("40" + NSP + ",").length()));
    }

    /** Recovers a session and returns its restored server socket, once it is there. */
    SocketIoSocket recovered(Session s) throws Exception {
        recover(s);
        await().atMost(Duration.ofSeconds(5)).until(() -> io.of(NSP).socket(s.sid()) != null);
        SocketIoSocket socket = io.of(NSP).socket(s.sid());
        assertThat(socket.recovered()).isTrue();
        return socket;
    }
}
