package dev.qsio.it.nodesuites;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The case of the class's {@link NodeFile} that this test holds: its describes and its title joined with
 * {@code " > "}, exactly as in {@code node-cases.tsv}. {@link NodeCasesTableTest} checks that it names a case there.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NodeCase {
    String value();
}
