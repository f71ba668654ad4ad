package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** The sticky cookie, for load balancers that route by cookie: set on the handshake, naming the node. */
class StickyCookieTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.socketio.cluster.sticky.enabled", "true")
            .overrideConfigKey("quarkus.socketio.cluster.node-id", "node-a");

    @Test
    void handshakeSetsTheNodeCookie() {
        given().queryParam("EIO", "4").queryParam("transport", "polling")
                .when().get("/socket.io/")
                .then().statusCode(200)
                .header("Set-Cookie", equalTo("qsio_node=node-a; Path=/; HttpOnly; SameSite=Lax"));
    }
}
