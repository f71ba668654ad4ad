package dev.qsio.test.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.test.Failures;
import io.quarkus.test.QuarkusUnitTest;

/** An unknown parser fails startup with SmallRye Config's message, which names the key and the allowed values. */
class BadParserTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Failures.AnyNamespace.class, Failures.class))
            .overrideConfigKey("quarkus.socketio.parser", "protobuf")
            .assertException(t -> assertThat(Failures.rootCause(t).getMessage())
                    .contains("quarkus.socketio.parser", "protobuf", "allowed values: default,msgpack"));

    @Test
    void startupFails() {
        fail("startup should have failed");
    }
}
