package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import dev.qsio.HandshakeFilter;
import dev.qsio.HandshakeRequest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code socket.io/test/handshake.ts}, over raw HTTP as Node's cases are: the CORS headers of a handshake (Node's
 * {@code cors} option is {@code quarkus.socketio.cors.*}, set for this module in {@code application.properties}), and
 * Node's {@code allowRequest}, a {@link HandshakeFilter} bean. Node's cases give each its own server; here one filter
 * serves the application, and refuses only the handshakes that ask for it ({@code refuse=yes}), so that the other
 * cases' clients go through.
 */
@QuarkusTest
@NodeFile("socket.io/test/handshake.ts")
class HandshakeCasesTest extends NodeCases {

    @Singleton
    static class AllowRequest implements HandshakeFilter {
        @Override
        public Decision check(HandshakeRequest request) {
            return "yes".equals(request.queryParam("refuse")) ? Decision.refuse(null) : Decision.allow();
        }
    }

    @Test
    @NodeCase("handshake > should send the Access-Control-Allow-xxx headers on OPTIONS request")
    void aPreflightIsAnswered() {
        given().header("Origin", "http://localhost:54023")
                .header("Access-Control-Request-Method", "POST")
                .queryParam("transport", "polling").queryParam("EIO", 4)
                .when().options(url("/socket.io/"))
                .then().statusCode(204)
                .header("Access-Control-Allow-Origin", "http://localhost:54023")
                .header("Access-Control-Allow-Methods", "GET,POST")
                .header("Access-Control-Allow-Headers", "content-type")
                .header("Access-Control-Allow-Credentials", "true");
    }

    @Test
    @NodeCase("handshake > should send the Access-Control-Allow-xxx headers on GET request")
    void aHandshakeCarriesTheCorsHeaders() {
        given().header("Origin", "http://localhost:54024")
                .queryParam("transport", "polling").queryParam("EIO", 4)
                .when().get(url("/socket.io/"))
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:54024")
                .header("Access-Control-Allow-Credentials", "true")
                .body(containsString("\"sid\""));
    }

    @Test
    @NodeCase("handshake > should allow request if custom function in opts.allowRequest returns true")
    void aHandshakeTheFilterAllowsOpens() {
        given().queryParam("transport", "polling").queryParam("EIO", 4)
                .when().get(url("/socket.io/"))
                .then().statusCode(200).body(containsString("\"sid\""));
    }

    @Test
    @NodeCase("handshake > should disallow request if custom function in opts.allowRequest returns false")
    void aHandshakeTheFilterRefusesGets403() {
        given().header("Origin", "http://localhost:54024")
                .queryParam("transport", "polling").queryParam("EIO", 4).queryParam("refuse", "yes")
                .when().get(url("/socket.io/"))
                .then().statusCode(403).body(equalTo("{\"code\":4,\"message\":\"Forbidden\"}"));
    }
}
