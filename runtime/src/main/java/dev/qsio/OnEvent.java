package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Handles an event that clients emit to the namespace.
 * <p>
 * Parameters, in any order: the {@link SocketIoSocket}; an {@link Ack} to answer later; the event's arguments,
 * bound in order to the remaining parameters with Jackson (records, POJOs, {@code JsonNode}, {@code String},
 * numbers, booleans, collections), or as {@code byte[]} / {@code io.vertx.core.buffer.Buffer} for binary values.
 * Missing arguments are {@code null} (an error for primitive parameters).
 * <p>
 * The return value answers the client's acknowledgement when it asked for one: a value, a {@code Uni<T>} or a
 * {@code CompletionStage<T>} (acknowledged with its item). A {@code void} method acknowledges with no arguments
 * when it returns, unless it declares an {@link Ack} parameter to answer itself.
 * <p>
 * Methods returning {@code Uni} or {@code CompletionStage} run on the event loop and must not block; the others run
 * on a worker thread. Events of one socket are handled one after the other, in the order they arrived.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnEvent {

    /** The event name. */
    String value();

    /**
     * How often one client may send this event (by default, as often as it likes): see {@link RateLimit}. A bad value
     * (a negative or infinite rate, a negative burst) fails the build, naming the method.
     */
    RateLimit rateLimit() default @RateLimit(perSecond = 0);
}
