package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;
import io.quarkus.test.common.http.TestHTTPResource;

/** The connection limit per process and the time limit on polling bodies. */
class LimitsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.socketio.max-connections", "2")
            .overrideConfigKey("quarkus.socketio.polling-body-timeout", "500ms");

    @TestHTTPResource("/")
    URL root;

    static String open() {
        String body = given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/")
                .then().statusCode(200).extract().asString();
        int i = body.indexOf("\"sid\":\"") + 7;
        return body.substring(i, body.indexOf('"', i));
    }

    static void close(String sid) {
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).body("1")
                .post("/socket.io/").then().statusCode(200);
    }

    @Test
    void handshakesOverTheLimitGet503AndAClosedSessionFreesItsPlace() {
        String first = open();
        String second = open();
        given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/")
                .then().statusCode(503).body("message", equalTo("Server at capacity"));
        // a close packet ends one session: its place is free again
        close(first);
        String third = open();
        // leave no session behind for the other test
        close(second);
        close(third);
    }

    @Test
    void aPollingBodyThatTricklesInGets408AndEndsItsSession() throws Exception {
        String sid = open();
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n4hello").getBytes(StandardCharsets.UTF_8));
            out.flush();
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.UTF_8);
            assertThat(status).isEqualTo("HTTP/1.1 408");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).get("/socket.io/")
                .then().statusCode(400);
    }
}
