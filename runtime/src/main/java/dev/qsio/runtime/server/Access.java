package dev.qsio.runtime.server;

import java.util.List;

import io.quarkus.runtime.annotations.RecordableConstructor;

/**
 * Who may connect to a namespace or send an event, from the Quarkus Security annotation on a {@code @SocketIo} class
 * or handler method; recorded at build time.
 *
 * @param rule the annotation's rule
 * @param values the roles of {@code @RolesAllowed}, or the permissions of {@code @PermissionsAllowed}
 *        ({@code name} or {@code name:action}, any of which suffices); otherwise empty
 */
public record Access(Rule rule, List<String> values) {

    @RecordableConstructor
    public Access {
        values = List.copyOf(values);
    }

    /** The annotations, one rule each. */
    public enum Rule {
        /** {@code @PermitAll}: anyone. */
        PERMIT_ALL,
        /** {@code @DenyAll}: nobody. */
        DENY_ALL,
        /** {@code @Authenticated}: any identity that is not anonymous. */
        AUTHENTICATED,
        /** {@code @RolesAllowed}: an identity with one of the roles ({@code **}: any authenticated identity). */
        ROLES,
        /** {@code @PermissionsAllowed}: an identity granted one of the permissions. */
        PERMISSIONS
    }

    @Override
    public String toString() {
        return rule + (values.isEmpty() ? "" : " " + values);
    }
}
