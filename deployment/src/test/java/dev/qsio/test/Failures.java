package dev.qsio.test;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.api.AbstractStringAssert;

import dev.qsio.OnConnect;
import dev.qsio.SocketIo;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;

/** Looks at the failure a QuarkusUnitTest build or startup ended with. */
public final class Failures {

    private Failures() {
    }

    public static Throwable rootCause(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }

    /** Asserts the root cause is an IllegalStateException from the processor, and returns an assertion on its message. */
    public static AbstractStringAssert<?> assertBuildProblem(Throwable t) {
        Throwable root = rootCause(t);
        assertThat(root).as("root cause of %s", t).isInstanceOf(IllegalStateException.class);
        return assertThat(root.getMessage());
    }

    /** Asserts the message names the handler method as the processor spells it: {@code pkg.Outer$Inner#method()}. */
    public static AbstractStringAssert<?> assertHandlerProblem(Throwable t, String annotation, Class<?> type,
            String method) {
        return assertBuildProblem(t).contains("Invalid @" + annotation + " method " + type.getName() + "#" + method + "()");
    }

    /**
     * An application whose startup must fail because {@code key=value}: the root cause is a ConfigurationException
     * whose message names the key and contains {@code expected}. The type is compared by name, since the failure may
     * come from the application class loader.
     */
    public static QuarkusUnitTest startupFailsOn(String key, String value, String expected) {
        return new QuarkusUnitTest()
                .withApplicationRoot(root -> root.addClasses(AnyNamespace.class, Failures.class))
                .overrideConfigKey(key, value)
                .assertException(t -> {
                    Throwable root = rootCause(t);
                    assertThat(root.getClass().getName()).as("root cause of %s", t)
                            .isEqualTo(ConfigurationException.class.getName());
                    assertThat(root.getMessage()).contains(key, expected);
                });
    }

    /** A namespace with one handler, for applications that only test configuration. */
    @SocketIo
    public static class AnyNamespace {
        @OnConnect
        void connected() {
        }
    }
}
