package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a Socket.IO namespace whose handlers are the methods of this class annotated with {@link OnConnect},
 * {@link OnEvent}, {@link OnDisconnect}, {@link OnError} and {@link Middleware}.
 * <p>
 * The class becomes a {@code @Singleton} bean unless it declares another scope. Several classes may declare the
 * same namespace; their handlers add up. A namespace given by {@link #pattern()} is dynamic (Node's
 * {@code io.of(/regex/)}): each name a client asks for that matches the pattern becomes a namespace of its own,
 * served by these handlers.
 * <p>
 * Handlers are collected and validated at build time: a method whose parameters or return type cannot work fails
 * the build with a message naming it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SocketIo {

    /** The namespace name, {@code "/"} (the main namespace) by default. Ignored when {@link #pattern()} is set. */
    String value() default "/";

    /**
     * A regular expression (Java syntax) that names of dynamic namespaces must match entirely, for example
     * {@code "/workspace-\\d+"}.
     */
    String pattern() default "";

    /**
     * A bean that decides which names of dynamic namespaces these handlers serve, for rules a pattern cannot say
     * (Node's {@code io.of((name, auth, next) => ...)}). Used when it is not {@link NamespaceMatcher} itself.
     */
    Class<? extends NamespaceMatcher> matcher() default NamespaceMatcher.class;
}
