package dev.qsio.test.engine;

import static dev.qsio.test.engine.Handshakes.handshake;
import static dev.qsio.test.engine.Handshakes.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.logging.Level;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/**
 * The limits per address count the peer's address when the peer is not a trusted proxy: the {@code X-Forwarded-For}
 * of a client that is not one (here the only trusted proxy is elsewhere) changes nothing, and the refusal's log line
 * says that a proxy's headers were not read.
 */
class UntrustedForwardingTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handshakes.class))
            .overrideConfigKey("quarkus.http.test-port", "0")
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.http.proxy.trusted-proxies", "10.9.9.9")
            .overrideConfigKey("quarkus.socketio.limits.handshakes-per-second-per-address", "0.25")
            .overrideConfigKey("quarkus.socketio.limits.handshake-burst-per-address", "2")
            .setLogRecordPredicate(r -> r.getLoggerName().startsWith("dev.qsio") && r.getLevel().intValue() == Level.INFO.intValue())
            .assertLogRecords(records -> assertThat(records).extracting(Handshakes::text)
                    .anySatisfy(m -> assertThat(m).contains("Refused a handshake from 127.0.0.1",
                            "It came through a proxy whose headers the HTTP server does not read",
                            "quarkus.http.proxy.proxy-address-forwarding")));

    @Test
    void theForwardedAddressOfAnUntrustedPeerIsIgnored() {
        open("10.0.3.1");
        open("10.0.3.2");
        handshake("10.0.3.3").then().statusCode(429)
                .body("message", equalTo("Too many handshakes from this address"));
    }
}
