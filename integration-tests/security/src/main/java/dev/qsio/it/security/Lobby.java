package dev.qsio.it.security;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.security.Authenticated;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;

/** The main namespace: open to anyone, with events that need an identity, a role or a permission. */
@SocketIo("/")
public class Lobby {

    @Inject
    SecurityIdentity injected;

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
