package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.ConnectionError;
import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Every refused request is told to {@code @Observes ConnectionError} methods (Node's {@code connection_error}), with
 * the code, message and status the client receives; an observer that throws changes nothing for the client.
 */
class ConnectionErrorEventTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.class, Failures.AnyNamespace.class, Refusals.class,
                    KeyFilter.class));

    static final List<ConnectionError> SEEN = new CopyOnWriteArrayList<>();

    @Singleton
    public static class Refusals {
        void refused(@Observes ConnectionError error) {
            SEEN.add(error);
        }

        /** Called after the other one (CDI stops notifying at an observer that throws). */
        void failing(@Observes @Priority(3000) ConnectionError error) {
            throw new IllegalStateException("an observer that fails");
        }
    }

    @Singleton
    public static class KeyFilter implements HandshakeFilter {
        @Override
        public Decision check(HandshakeRequest request) {
            return "bad".equals(request.queryParam("key")) ? Decision.refuse("Bad key") : Decision.allow();
        }
    }

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @Test
    void eachRefusalIsObservedWithWhatTheClientReceives() {
        given().queryParam("EIO", "4").queryParam("transport", "carrier-pigeon").when().get("/socket.io/")
                .then().statusCode(400).body("code", equalTo(0));
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", "nope").when()
                .get("/socket.io/").then().statusCode(400).body("code", equalTo(1));
        given().queryParam("EIO", "3").queryParam("transport", "polling").when().get("/socket.io/")
                .then().statusCode(400).body("code", equalTo(5));
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("key", "bad").when()
                .get("/socket.io/").then().statusCode(403).body("message", equalTo("Bad key"));
        given().queryParam("EIO", "4").queryParam("transport", "polling").when().get("/socket.io/")
                .then().statusCode(200);
        assertThat(SEEN).extracting(ConnectionError::code).containsExactly(0, 1, 5, 4);
        assertThat(SEEN).extracting(ConnectionError::message).containsExactly("Transport unknown",
                "Session ID unknown", "Unsupported protocol version", "Bad key");
        assertThat(SEEN).extracting(ConnectionError::status).containsExactly(400, 400, 400, 403);
        assertThat(SEEN.get(0).method()).isEqualTo("GET");
        assertThat(SEEN.get(0).path()).startsWith("/socket.io/?").contains("transport=carrier-pigeon");
        assertThat(SEEN.get(0).remoteAddress()).startsWith("127.0.0.1:");
    }
}
