package dev.qsio.runtime.adapter;

import java.security.Permission;
import java.security.Principal;
import java.util.Map;
import java.util.Set;

import io.quarkus.security.credential.Credential;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Who a socket is, as it crosses between servers (a {@code fetchSockets} answer): its principal's name and its
 * roles, never its credentials. Permission checks need the identity providers of the socket's own server, so a
 * snapshot grants none. Also the identity of a socket whose client presented none ({@link #ANONYMOUS}).
 */
public final class IdentitySnapshot implements SecurityIdentity {

    /** Nobody: no principal, no roles, no permissions. */
    public static final IdentitySnapshot ANONYMOUS = new IdentitySnapshot(null, Set.of());

    private final Principal principal;
    private final Set<String> roles;

    private IdentitySnapshot(String name, Set<String> roles) {
        this.principal = name == null ? null : new Named(name);
        this.roles = Set.copyOf(roles);
    }

    /** The snapshot of a principal's name and roles; anonymous without a name. */
    public static IdentitySnapshot of(String name, Set<String> roles) {
        return name == null ? ANONYMOUS : new IdentitySnapshot(name, roles);
    }

    private record Named(String name) implements Principal {
        @Override
        public String getName() {
            return name;
        }
    }

    @Override
    public Principal getPrincipal() {
        return principal;
    }

    @Override
    public boolean isAnonymous() {
        return principal == null;
    }

    @Override
    public Set<String> getRoles() {
        return roles;
    }

    @Override
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    @Override
    public <T extends Credential> T getCredential(Class<T> credentialType) {
        return null;
    }

    @Override
    public Set<Credential> getCredentials() {
        return Set.of();
    }

    @Override
    public <T> T getAttribute(String name) {
        return null;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return Map.of();
    }

    @Override
    public Set<Permission> getPermissions() {
        return Set.of();
    }

    @Override
    public Uni<Boolean> checkPermission(Permission permission) {
        return Uni.createFrom().item(false);
    }

    @Override
    public String toString() {
        return principal == null ? "anonymous" : principal.getName() + " " + roles;
    }
}
