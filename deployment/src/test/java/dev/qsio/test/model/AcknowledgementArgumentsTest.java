package dev.qsio.test.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.qsio.EventArgs;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import dev.qsio.test.JavaClient;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Blocking;
import io.socket.client.Ack;

/**
 * An acknowledgement with several arguments, as Node's {@code socket.emit("ev", (a, b, c) => ...)} gets them:
 * {@code emitWithAckArgs} gives every argument (binary ones as {@code BinaryNode}s) for a socket and for a broadcast,
 * and the first-argument forms give the first of them.
 */
class AcknowledgementArgumentsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Asking.class, JavaClient.class));

    static final Duration SOON = Duration.ofSeconds(10);

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    SocketIoServer io;

    @SocketIo("/args")
    public static class Asking {

        /** Asks the client on a worker thread and answers with what came, as "event: values". */
        @OnEvent("ask")
        @Blocking
        String ask(SocketIoSocket socket) {
            EventArgs answer = socket.timeout(Duration.ofSeconds(5)).emitWithAckArgsAndAwait("question", "?");
            return answer.event() + ": " + answer.values();
        }
    }

    /** The clients of a test have left before the next: a broadcast would wait for one leaving until its timeout. */
    @AfterEach
    void everyClientLeft() {
        await().atMost(SOON).until(() -> io.of("/args").localSockets().isEmpty());
    }

    /** A client answering "question" with a text, a number, a binary value and an object. */
    JavaClient answering() throws Exception {
        JavaClient client = JavaClient.connect(port, "/args", Map.of());
        client.socket.on("question", args -> ((Ack) args[args.length - 1]).call("a", 2, new byte[] { 1, 2, 3 },
                new JSONObject(Map.of("k", "v"))));
        client.awaitConnected();
        return client;
    }

    static SocketIoSocket socketOf(SocketIoServer io, String id) {
        await().atMost(SOON).until(() -> io.of("/args").socket(id) != null);
        return io.of("/args").socket(id);
    }

    static void assertEveryArgument(EventArgs answer) throws Exception {
        assertThat(answer.event()).isEqualTo("question");
        assertThat(answer.size()).isEqualTo(4);
        assertThat(answer.get(0).asText()).isEqualTo("a");
        assertThat(answer.get(1).asInt()).isEqualTo(2);
        assertThat(answer.get(2).isBinary()).isTrue();
        assertThat(answer.get(2).binaryValue()).containsExactly(1, 2, 3);
        assertThat(answer.get(3).path("k").asText()).isEqualTo("v");
    }

    @Test
    void aSocketsAcknowledgementGivesEveryArgument() throws Exception {
        try (JavaClient client = answering()) {
            SocketIoSocket socket = socketOf(io, client.awaitConnected());
            assertEveryArgument(socket.emitWithAckArgs("question").await().atMost(SOON));
            assertEveryArgument(socket.timeout(Duration.ofSeconds(5)).emitWithAckArgs("question").await().atMost(SOON));
            assertEveryArgument(socket.compress(false).emitWithAckArgsAndAwait("question"));
            assertThat(socket.emitWithAck("question").await().atMost(SOON).asText()).as("the first argument")
                    .isEqualTo("a");
            assertThat(socket.emitWithAck(String.class, "question").await().atMost(SOON)).isEqualTo("a");
        }
    }

    @Test
    void awaitedOnAWorkerThread() throws Exception {
        try (JavaClient client = answering()) {
            Object answer = client.call("ask")[0];
            assertThat(answer).asString().startsWith("question: [\"a\", 2, ").endsWith(", {\"k\":\"v\"}]");
        }
    }

    @Test
    void anAcknowledgementWithoutArgumentsGivesNoneAndANullFirst() throws Exception {
        try (JavaClient client = JavaClient.connect(port, "/args", Map.of())) {
            client.socket.on("question", args -> ((Ack) args[args.length - 1]).call());
            SocketIoSocket socket = socketOf(io, client.awaitConnected());
            EventArgs answer = socket.emitWithAckArgs("question").await().atMost(SOON);
            assertThat(answer.values()).isEmpty();
            assertThat(socket.emitWithAck("question").await().atMost(SOON)).isEqualTo(NullNode.getInstance());
        }
    }

    @Test
    void aBroadcastGivesEveryArgumentOfEachAnswer() throws Exception {
        try (JavaClient a = answering(); JavaClient b = answering()) {
            List<EventArgs> answers = io.of("/args").timeout(Duration.ofSeconds(5)).emitWithAckArgs("question")
                    .await().atMost(SOON);
            assertThat(answers).hasSize(2);
            for (EventArgs answer : answers) {
                assertEveryArgument(answer);
            }
            assertEveryArgument(io.of("/args").except(a.awaitConnected()).emitWithAckArgsAndAwait("question").get(0));
            List<JsonNode> firsts = io.of("/args").emitWithAck("question").await().atMost(SOON);
            assertThat(firsts).extracting(JsonNode::asText).containsExactly("a", "a");
            assertThat(io.of("/args").emitWithAck(String.class, "question").await().atMost(SOON))
                    .containsExactly("a", "a");
        }
    }
}
