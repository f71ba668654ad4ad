package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.SocketIoServer;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineSession;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A polling session closed gracefully with packets still queued: a poll carries them, and the close packet comes with
 * the poll after it, never in the same payload. The official client hands a payload's messages to its socket a tick
 * after it reads them but ends the session at a close packet at once: messages beside the close reached the socket
 * after its disconnect, were buffered there, and were emitted on the reconnection, besides the copies connection state
 * recovery sent again (a duplicate broadcast in LocalRecoveryIT's rolling restart). The reference server closes once
 * its buffer has drained.
 */
class GracefulPollingCloseTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class));

    @Inject
    EngineEndpoints engines;

    @Inject
    SocketIoServer io;

    private static String sid(String open) {
        int s = open.indexOf("\"sid\":\"") + 7;
        return open.substring(s, open.indexOf('"', s));
    }

    private static String poll(String sid) {
        return given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid)
                .get("/socket.io/").then().statusCode(200).extract().asString();
    }

    @Test
    void theQueuedPacketsGoFirstAndTheCloseWithTheNextPoll() throws Exception {
        String sid = sid(given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/")
                .then().statusCode(200).extract().asString());
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).body("40")
                .post("/socket.io/").then().statusCode(200);
        assertThat(poll(sid)).startsWith("40");
        // queued while no poll waits
        io.emit("before-close", 1);
        io.emit("before-close", 2);
        CompletableFuture<Void> drained = CompletableFuture.runAsync(engines::drain);
        // the session closes (gracefully: it waits for a poll to carry what it holds)
        await().atMost(Duration.ofSeconds(5)).until(() -> engines.servers().stream()
                .flatMap(s -> s.sessions().stream()).noneMatch(EngineSession::isOpen));

        List<String> first = List.of(poll(sid).split("\u001e"));
        assertThat(first).as("the queued messages, without the close packet")
                .containsExactly("42[\"before-close\",1]", "42[\"before-close\",2]");
        assertThat(poll(sid)).as("the next poll: the close packet").isEqualTo("1");
        drained.get(10, TimeUnit.SECONDS);
    }
}
