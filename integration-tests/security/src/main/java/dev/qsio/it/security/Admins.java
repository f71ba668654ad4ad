package dev.qsio.it.security;

import jakarta.annotation.security.RolesAllowed;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import io.quarkus.security.identity.SecurityIdentity;

/** A namespace for admins: others are refused with "Forbidden", anonymous clients with "Unauthorized". */
@RolesAllowed("admin")
@SocketIo("/admins")
public class Admins {

    @OnEvent("whoami")
    String whoami(SecurityIdentity identity) {
        return identity.getPrincipal().getName();
    }
}
