package dev.qsio.demo.chat;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

import dev.qsio.ClusterInfo;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The staff room, a namespace secured with Quarkus Security: only sockets whose token (in the CONNECT's auth, as
 * browsers send it) carries the "staff" role connect; the others get connect_error "Forbidden" (a token without the
 * role) or "Unauthorized" (none, or an invalid one). The page is /staff.html.
 */
@RolesAllowed("staff")
@SocketIo("/staff")
public class Staff {

    public record StaffMessage(String text, String from, int worker) {
    }

    @Inject
    ClusterInfo cluster;

    @OnConnect
    void hello(SocketIoSocket socket, SecurityIdentity identity) {
        socket.emit("hello", new Chat.Hello(cluster.workerId(), cluster.pid(), identity.getPrincipal().getName()));
    }

    /** A message for the other staff, signed with the sender's name from the token (not from the client). */
    @OnEvent("chat")
    Chat.Ok chat(SocketIoSocket socket, SecurityIdentity identity, String text) {
        socket.broadcast().emit("chat", new StaffMessage(text, identity.getPrincipal().getName(), cluster.workerId()));
        return new Chat.Ok(true, cluster.workerId());
    }
}
