package dev.qsio.demo.chat;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.ClusterInfo;
import dev.qsio.SocketIoServer;

/** HTTP side of the demo. */
@Path("/api")
public class Api {

    public record Broadcast(String event, JsonNode data) {
    }

    @Inject
    SocketIoServer io;

    @Inject
    ClusterInfo cluster;

    @Inject
    MessageCounter counter;

    /** Emits an event to every client. */
    @POST
    @Path("/broadcast")
    public Response broadcast(Broadcast broadcast) {
        if (broadcast == null || broadcast.event() == null || broadcast.event().isBlank()) {
            return Response.status(400).entity(Map.of("error", "event is required")).build();
        }
        io.emit(broadcast.event(), broadcast.data());
        return Response.accepted().build();
    }

    /** The chat messages this worker counted: the same on every worker. */
    @GET
    @Path("/stats")
    public Map<String, Object> stats() {
        return Map.of("worker", cluster.workerId(), "messages", counter.messages());
    }

    @GET
    @Path("/whoami")
    public Map<String, Object> whoami() {
        return Map.of("worker", cluster.workerId(), "pid", cluster.pid());
    }
}
