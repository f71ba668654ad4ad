package dev.qsio.test.hooks;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Node's {@code cookie: {name: "io"}} option, for load balancers that route by that cookie: the sticky cookie under
 * the name {@code io}, set on the handshake. Its value names the node rather than the session, which a load balancer
 * can route by without learning each session.
 */
class IoCookieTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.socketio.cluster.sticky.enabled", "true")
            .overrideConfigKey("quarkus.socketio.cluster.sticky.cookie-name", "io")
            .overrideConfigKey("quarkus.socketio.cluster.node-id", "node-a");

    @Test
    void theHandshakeSetsTheIoCookie() {
        given().queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/")
                .then().statusCode(200)
                .header("Set-Cookie", equalTo("io=node-a; Path=/; HttpOnly; SameSite=Lax"));
    }
}
