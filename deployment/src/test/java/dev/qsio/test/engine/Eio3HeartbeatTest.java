package dev.qsio.test.engine;

import static dev.qsio.test.engine.Eio3Test.get;
import static dev.qsio.test.engine.Eio3Test.open;
import static dev.qsio.test.engine.Eio3Test.packets;
import static dev.qsio.test.engine.Eio3Test.request;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * Engine.IO revision 3's heartbeat runs the other way round: the client pings, and a session whose pings stop ends
 * after the interval and the timeout. Short ones here, so that the test does not wait long; {@link Eio3Test} keeps long
 * ones, since its requests send no ping. The GET that waits for the CLOSE must arrive before the session ends, so the
 * two together (3 s) leave room for a busy machine between the handshake's answer and that GET (800 ms did not, under
 * a load of 10 on 2 CPUs).
 */
class Eio3HeartbeatTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Eio3Test.class, Eio3Test.Main.class, Eio3Test.Other.class))
            .overrideConfigKey("quarkus.socketio.allow-eio3", "true")
            .overrideConfigKey("quarkus.socketio.ping-interval", "1s")
            .overrideConfigKey("quarkus.socketio.ping-timeout", "2s");

    @Test
    void theSessionEndsWhenThePingsStop() {
        String sid = open();
        // no ping: the parked GET gets the CLOSE after the interval and the timeout
        assertThat(packets(get(sid))).containsExactly("1");
        request(sid).get("/socket.io/").then().statusCode(400);
    }
}
