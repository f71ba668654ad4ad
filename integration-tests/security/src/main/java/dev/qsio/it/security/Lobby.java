package dev.qsio.it.security;

import java.util.List;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

import dev.qsio.ClusterInfo;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoServer;
import dev.qsio.SocketIoSocket;
import io.quarkus.security.Authenticated;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The main namespace: open to anyone, with events that need an identity, a role or a permission. */
@SocketIo("/")
public class Lobby {

    @Inject
    SecurityIdentity injected;

    @Inject
    SocketIoServer io;

    @Inject
    ClusterInfo cluster;

    @Inject
    VerifyingThreads verifying;

    /** The thread that verified the named principal's last credential (see {@link VerifyingThreads}). */
    @OnEvent("verified-on")
    String verifiedOn(String principal) {
        return String.valueOf(verifying.of(principal));
    }

    /** The worker that holds the socket (0 on a single process). */
    @OnEvent("worker")
    int worker() {
        return cluster.workerId();
    }

    /** An event to the socket itself (with connection state recovery on, it carries an offset to recover from). */
    @OnEvent("greet")
    void greet(SocketIoSocket socket, SecurityIdentity identity) {
        socket.emit("greeting", identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName());
    }

    /** The host that holds the socket (its node id). */
    @OnEvent("node")
    String node() {
        return cluster.nodeId();
    }

    /** Every socket of the namespace, on every worker: "name roles" as fetchSockets sees them. */
    @OnEvent("everyone")
    Uni<List<String>> everyone() {
        return io.fetchSockets().map(sockets -> sockets.stream().map(s -> {
            SecurityIdentity who = s.securityIdentity();
            return who.isAnonymous() ? "anonymous" : who.getPrincipal().getName() + " " + new TreeSet<>(who.getRoles());
        }).sorted().toList());
    }

    /** Who the socket is, as a handler parameter. */
    @OnEvent("whoami")
    String whoami(SecurityIdentity identity) {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    /** Who the socket is, as the injected (request-scoped) identity sees it. */
    @OnEvent("injected")
    String injected() {
        return injected.isAnonymous() ? "anonymous" : injected.getPrincipal().getName();
    }

    /** The same, from the socket. */
    @OnEvent("socket-identity")
    String socketIdentity(SocketIoSocket socket) {
        SecurityIdentity identity = socket.securityIdentity();
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    @Authenticated
    @OnEvent("members-only")
    String membersOnly() {
        return "welcome, member";
    }

    @RolesAllowed("admin")
    @OnEvent("admin-only")
    String adminOnly() {
        return "welcome, admin";
    }

    @PermissionsAllowed("reports:read")
    @OnEvent("report")
    String report() {
        return "the report";
    }
}
