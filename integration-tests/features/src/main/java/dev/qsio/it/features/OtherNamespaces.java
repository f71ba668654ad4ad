package dev.qsio.it.features;

import dev.qsio.ConnectionRefusedException;
import dev.qsio.Middleware;
import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

/** Namespaces beside the main one. */
public final class OtherNamespaces {

    private OtherNamespaces() {
    }

    /** Only sockets whose auth says they are admins get in. */
    @SocketIo("/admin")
    public static class Admin {

        @Middleware
        void onlyAdmins(SocketIoSocket socket) {
            if (!"admin".equals(socket.handshake().auth().path("role").asText())) {
                throw new ConnectionRefusedException("admins only");
            }
        }

        @OnConnect
        void connected(SocketIoSocket socket) {
            socket.emit("welcome", "admin");
        }

        @OnEvent("whoami")
        String whoami(SocketIoSocket socket) {
            return socket.namespace();
        }
    }

    /** Every namespace named like /workspace-42 is created on demand. */
    @SocketIo(pattern = "/workspace-\\d+")
    public static class Workspaces {

        @OnConnect
        void connected(SocketIoSocket socket) {
            socket.emit("welcome", socket.namespace());
        }

        @OnEvent("shout")
        void shout(SocketIoSocket socket, String text) {
            socket.broadcast().emit("shout", socket.namespace(), text);
        }
    }

    /** Namespaces under /tenant- whose auth carries a matching tenant. */
    @SocketIo(matcher = TenantMatcher.class)
    public static class Tenants {

        @OnConnect
        void connected(SocketIoSocket socket) {
            socket.emit("welcome", socket.namespace());
        }
    }
}
