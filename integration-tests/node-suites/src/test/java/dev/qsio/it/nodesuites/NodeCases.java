package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * What the case classes share: the official Node {@code socket.io-client} (one driver process per test), the
 * application's URL, and the {@code outcome} event by which a case's server side reports what it saw.
 */
abstract class NodeCases {

    private static final AtomicInteger IDS = new AtomicInteger();

    @TestHTTPResource("/")
    URL root;

    ClientDriver driver;

    @BeforeEach
    void startDriver() {
        driver = ClientDriver.start();
    }

    @AfterEach
    void stopDriver() {
        driver.close();
    }

    /** The application's URL for a namespace ({@code "/"} or {@code "/name"}). */
    String url(String namespace) {
        return root.toString().replaceAll("/$", "") + namespace;
    }

    /** Connects a client with its default options to a namespace; returns its id for the driver. */
    String connect(String namespace) {
        return connect(namespace, Map.of());
    }

    /** As {@link #connect(String)}, answering the server's emits that ask for an ack ({@code {event: [args]}}). */
    String connect(String namespace, Map<String, List<Object>> replies) {
        return connect(namespace, Map.of(), replies);
    }

    String connect(String namespace, Map<String, Object> options, Map<String, List<Object>> replies) {
        String id = "c" + IDS.incrementAndGet();
        driver.connect(id, url(namespace), options, replies);
        return id;
    }

    /** The arguments of the next {@code outcome} event the client received, as JSON. */
    String outcome(String id) {
        return driver.awaitEmit(id, "outcome").get("args").toString();
    }

    /** The client receives the server's {@code event} {@code count} times, and no more within the next 300 ms. */
    void receives(String id, String event, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.received(id, event) >= count);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> driver.received(id, event) == count);
    }

    static final char SEPARATOR = '\u001e';

    /** Node's {@code eioHandshake}: opens a polling session; its sid. */
    String handshake() throws Exception {
        String body = given().queryParam("EIO", 4).queryParam("transport", "polling")
                .when().get(url("/socket.io/")).then().statusCode(200).extract().asString();
        assertThat(body).startsWith("0");
        return new ObjectMapper().readTree(body.substring(1)).path("sid").asText();
    }

    /** Node's {@code eioPush}: a POST of a payload to a polling session. */
    void push(String sid, String payload) {
        given().queryParam("EIO", 4).queryParam("transport", "polling").queryParam("sid", sid).body(payload)
                .when().post(url("/socket.io/")).then().statusCode(200);
    }

    /** Node's {@code eioPoll}: the packets of the next poll. */
    List<String> poll(String sid) {
        String body = given().queryParam("EIO", 4).queryParam("transport", "polling").queryParam("sid", sid)
                .when().get(url("/socket.io/")).then().statusCode(200).extract().asString();
        return Arrays.asList(body.split(String.valueOf(SEPARATOR)));
    }

    static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
