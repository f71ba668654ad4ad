package dev.qsio.runtime.security;

import java.lang.reflect.Method;
import java.security.Permission;
import java.security.Principal;
import java.util.Map;
import java.util.Set;

import io.quarkus.security.credential.Credential;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Who a socket is, as it crosses between servers (a {@code fetchSockets} answer, a session taken over by another
 * host): its principal's name, its roles and when its credential expires, never the credential itself. Permission
 * checks need the identity providers of the server that authenticated it, so a snapshot grants none. Also the
 * identity of a socket whose client presented none ({@link #ANONYMOUS}).
 */
public final class IdentitySnapshot implements SecurityIdentity {

    /** The attribute in which Quarkus' identity providers give when a credential expires (epoch seconds). */
    public static final String EXPIRE_TIME = "quarkus.identity.expire-time";

    /** Nobody: no principal, no roles, no permissions. */
    public static final IdentitySnapshot ANONYMOUS = new IdentitySnapshot(null, Set.of(), -1);

    private final Principal principal;
    private final Set<String> roles;
    private final long expiresAtMillis;

    private IdentitySnapshot(String name, Set<String> roles, long expiresAtMillis) {
        this.principal = name == null ? null : new Named(name);
        this.roles = Set.copyOf(roles);
        this.expiresAtMillis = expiresAtMillis;
    }

    /** The snapshot of a principal's name and roles; anonymous without a name. */
    public static IdentitySnapshot of(String name, Set<String> roles) {
        return of(name, roles, -1);
    }

    /** The snapshot of a principal's name, roles and expiry (epoch milliseconds, -1 for none); anonymous without a name. */
    public static IdentitySnapshot of(String name, Set<String> roles, long expiresAtMillis) {
        return name == null ? ANONYMOUS : new IdentitySnapshot(name, roles, expiresAtMillis);
    }

    /** The snapshot of an identity: its name, roles and expiry. */
    public static IdentitySnapshot of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity.getPrincipal() == null) {
            return ANONYMOUS;
        }
        if (identity instanceof IdentitySnapshot snapshot) {
            return snapshot;
        }
        return of(identity.getPrincipal().getName(), identity.getRoles(), expiresAtMillis(identity));
    }

    /**
     * When the identity's credential expires, in epoch milliseconds, or -1: the {@value #EXPIRE_TIME} attribute, or
     * the expiration time of a JWT principal ({@code JsonWebToken#getExpirationTime}, read without depending on
     * MicroProfile JWT).
     */
    public static long expiresAtMillis(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return -1;
        }
        if (identity instanceof IdentitySnapshot snapshot) {
            return snapshot.expiresAtMillis;
        }
        Object attribute = identity.getAttribute(EXPIRE_TIME);
        if (attribute instanceof Number seconds && seconds.longValue() > 0) {
            return seconds.longValue() * 1000;
        }
        Principal principal = identity.getPrincipal();
        if (principal != null) {
            try {
                Method exp = principal.getClass().getMethod("getExpirationTime");
                Object seconds = exp.invoke(principal);
                if (seconds instanceof Number n && n.longValue() > 0) {
                    return n.longValue() * 1000;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a principal without an expiration
            }
        }
        return -1;
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
    @SuppressWarnings("unchecked")
    public <T> T getAttribute(String name) {
        return EXPIRE_TIME.equals(name) && expiresAtMillis >= 0 ? (T) Long.valueOf(expiresAtMillis / 1000) : null;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return expiresAtMillis >= 0 ? Map.of(EXPIRE_TIME, expiresAtMillis / 1000) : Map.of();
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
