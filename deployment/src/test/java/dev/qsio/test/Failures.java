package dev.qsio.test;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.api.AbstractStringAssert;

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
}
