package dev.qsio.it.conformance;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged application ({@code java -jar .../quarkus-run.jar}). */
@QuarkusIntegrationTest
class SocketIoProtocolIT extends SocketIoProtocolTest {
}
