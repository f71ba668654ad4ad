package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code socket.io/test/server-attachment.ts} with {@code serveClient: false}: here
 * {@code quarkus.socketio.serve-client=false} (a build-time setting, so an application of its own).
 */
@QuarkusTest
@TestProfile(ServerAttachmentNoClientCasesTest.NoClient.class)
@NodeFile("socket.io/test/server-attachment.ts")
class ServerAttachmentNoClientCasesTest extends NodeCases {

    public static class NoClient implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.socketio.serve-client", "false");
        }
    }

    /** The path's requests go to the engine, which refuses one that is not its protocol. */
    @Test
    @NodeCase("server attachment > http.Server > should not serve static files")
    void servesNoBundle() {
        given().when().get(url("/socket.io/socket.io.js")).then().statusCode(400);
    }
}
