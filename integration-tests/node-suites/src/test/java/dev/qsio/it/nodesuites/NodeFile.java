package dev.qsio.it.nodesuites;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The Node test file whose cases a test class holds, as {@code node-cases.tsv} names it (for example
 * {@code socket.io/test/socket-timeout.ts}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface NodeFile {
    String value();
}
