package dev.qsio.test.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.wire.Wire;
import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A PostgreSQL that does not answer (nothing listens on its port) does not fail startup: the server serves its own
 * clients, and its readiness is DOWN with the address and the key it came from.
 */
class UnreachableDatasourceTest {

    static final int PORT = closedPort();

    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @RegisterExtension
    static final QuarkusUnitTest test = PostgresDatasources.withClient(new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.AnyNamespace.class, Failures.class,
                    PostgresDatasources.class)))
            .overrideConfigKey("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + PORT + "/fleet");

    @Inject
    ClusterBus bus;

    /** What readiness reports ("unreachable at" the address, the key, the error): it is DOWN while this is not up. */
    @Test
    void theServerStartsNotListeningAndSaysWhereFrom() {
        assertThat(bus.wireProvider().name()).isEqualTo("postgres");
        Wire wire = bus.wire();
        assertThat(wire.figures().up()).isFalse();
        // the port as this copy of the class picked it: the application loads its own
        assertThat(wire.address()).matches("127\\.0\\.0\\.1:[0-9]+/fleet \\(quarkus\\.datasource\\.reactive\\.url\\)");
        assertThat(wire.figures().error()).as("the connection's error").isNotBlank();
        assertThat(bus.readinessRequiresWire()).as("quarkus.socketio.postgres.readiness").isTrue();
    }
}
