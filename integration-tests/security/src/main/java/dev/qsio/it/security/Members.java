package dev.qsio.it.security;

import java.util.Set;
import java.util.TreeSet;

import jakarta.annotation.security.PermitAll;

import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;

/** A namespace for authenticated sockets only: anonymous clients are refused at their CONNECT. */
@Authenticated
@SocketIo("/members")
public class Members {

    @OnConnect
    void hello(SocketIoSocket socket, SecurityIdentity identity) {
        socket.emit("hello", identity.getPrincipal().getName());
    }

    @OnEvent("roles")
    Set<String> roles(SecurityIdentity identity) {
        return new TreeSet<>(identity.getRoles());
    }

    /** A method's own rule replaces its class's. */
    @PermitAll
    @OnEvent("ping")
    String ping() {
        return "pong";
    }
}
