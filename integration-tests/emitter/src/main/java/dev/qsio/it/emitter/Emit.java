package dev.qsio.it.emitter;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import dev.qsio.SocketIoEmitter;

/**
 * What a batch job or a queue consumer would do, driven over HTTP by the tests: {@code POST /emit} with the operation,
 * its namespace, rooms, rooms excepted and flags, and the event and arguments.
 */
@Path("/emit")
public class Emit {

    /**
     * One operation of the emitter: {@code emit}, {@code socketsJoin}, {@code socketsLeave}, {@code disconnectSockets}
     * or {@code serverSideEmit}; {@code target} names the rooms the operation joins or leaves.
     */
    public record Operation(String op, String namespace, List<String> rooms, List<String> except, boolean volatileFlag,
            String event, List<Object> args, List<String> target, boolean close, byte[] binary) {
    }

    @Inject
    SocketIoEmitter emitter;

    @POST
    public Response emit(Operation o) {
        SocketIoEmitter e = o.namespace() == null ? emitter : emitter.of(o.namespace());
        if (o.rooms() != null) {
            e = e.to(o.rooms().toArray(String[]::new));
        }
        if (o.except() != null) {
            e = e.except(o.except().toArray(String[]::new));
        }
        if (o.volatileFlag()) {
            e = e.volatile_();
        }
        Object[] args = o.args() == null ? new Object[0] : o.args().toArray();
        if (o.binary() != null) {
            Object[] withBinary = java.util.Arrays.copyOf(args, args.length + 1);
            withBinary[args.length] = o.binary();
            args = withBinary;
        }
        switch (o.op()) {
            case "emit" -> e.emit(o.event(), args);
            case "socketsJoin" -> e.socketsJoin(o.target().toArray(String[]::new));
            case "socketsLeave" -> e.socketsLeave(o.target().toArray(String[]::new));
            case "disconnectSockets" -> e.disconnectSockets(o.close());
            case "serverSideEmit" -> e.serverSideEmit(o.event(), args);
            default -> {
                return Response.status(400).entity("unknown operation " + o.op()).build();
            }
        }
        return Response.accepted().build();
    }
}
