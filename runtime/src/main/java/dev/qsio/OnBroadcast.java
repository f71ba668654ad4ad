package dev.qsio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A server-side subscriber to broadcasts of an event: runs once per broadcast of {@link #value()} in the namespace,
 * on every worker and host of the cluster (in one process, for the process's own broadcasts). It receives both
 * broadcasts to clients ({@code io.emit}, {@code to(room).emit}) and {@link SocketIoNamespace#serverSideEmit}
 * messages, which reach only servers.
 * <p>
 * Parameters: the event arguments, bound as for {@link OnEvent}, and optionally a {@link BroadcastContext}. The
 * method may be declared on any bean. Its return value (or {@code Uni} item) answers a
 * {@code serverSideEmitWithAck}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnBroadcast {

    /** The event name. */
    String value();

    /** The namespace whose broadcasts are received. */
    String namespace() default "/";
}
