package dev.qsio;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How often one client may send an event: a token bucket per connection, refilled at {@link #perSecond()} and holding
 * {@link #burst()}, given on the handler with {@code @OnEvent(value = "chat", rateLimit = @RateLimit(perSecond = 0.5,
 * burst = 3))}. The event is limited by its name for the whole connection (its sockets of every namespace together),
 * as {@code quarkus.socketio.inbound.event."chat".per-second} limits it; that configuration, when set for the event,
 * takes the annotation's place. Past the limit, what {@code quarkus.socketio.inbound.exceeded} says happens: the event
 * is dropped (an acknowledgement it asked for answered {@code {"error":"rate limited"}}) or the connection closed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface RateLimit {

    /** Events a second on average; 0, the default of {@link OnEvent#rateLimit()}, for no limit. */
    double perSecond();

    /** Events at once; 0 (the default) for the rate rounded up, at least 1. */
    int burst() default 0;
}
