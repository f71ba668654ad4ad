package dev.qsio.it.features;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ClusterInfo;
import dev.qsio.SocketIoServer;

/** The server API used from outside handlers. */
@Path("/api")
public class Api {

    @Inject
    SocketIoServer io;

    @Inject
    Disconnects disconnects;

    @Inject
    Broadcasts broadcasts;

    @Inject
    ClusterInfo cluster;

    public record Emit(String event, JsonNode data, String room) {
    }

    @POST
    @Path("/emit")
    public Response emit(Emit emit) {
        if (emit.room() != null) {
            io.to(emit.room()).emit(emit.event(), emit.data());
        } else {
            io.emit(emit.event(), emit.data());
        }
        return Response.accepted().build();
    }

    @GET
    @Path("/disconnects")
    public Map<String, String> disconnects() {
        return disconnects.all();
    }

    /** The worker that serves this request (0 in a single process). */
    @GET
    @Path("/worker")
    public int worker() {
        return cluster.workerId();
    }

    @GET
    @Path("/sockets")
    public int sockets() {
        return io.localSockets().size();
    }

    @GET
    @Path("/broadcasts")
    public java.util.List<Broadcasts.Seen> broadcasts() {
        return broadcasts.seen();
    }
}
