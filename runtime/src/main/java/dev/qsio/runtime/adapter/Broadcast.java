package dev.qsio.runtime.adapter;

import java.util.Arrays;

import dev.qsio.runtime.protocol.Encoded;

/**
 * An event sent to selected sockets: encoded once for every local recipient, with the event and arguments it was
 * made of for the servers and wire formats that need them.
 *
 * @param namespace the namespace name
 * @param event the event name
 * @param args the arguments, ending with the offset when {@code withOffset}
 * @param packet the encoded EVENT packet, without acknowledgement id
 * @param options the selection and flags
 * @param withOffset whether the last argument is a connection state recovery offset (not an application argument)
 * @param direct whether this is a socket's own {@code emit} sent as a broadcast to the socket's room, so that it is
 *        logged for connection state recovery (as Node does): no {@code @OnBroadcast} method hears it
 */
public record Broadcast(String namespace, String event, Object[] args, Encoded packet, BroadcastOptions options,
        boolean withOffset, boolean direct) {

    /** The application's arguments: without the offset. */
    public Object[] applicationArgs() {
        if (!withOffset || args.length == 0) {
            return args;
        }
        return Arrays.copyOf(args, args.length - 1);
    }

    /** The offset, or {@code null}. */
    public String offset() {
        return withOffset && args.length > 0 ? String.valueOf(args[args.length - 1]) : null;
    }
}
