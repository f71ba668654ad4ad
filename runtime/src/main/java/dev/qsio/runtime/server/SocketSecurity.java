package dev.qsio.runtime.server;

import java.security.Permission;
import java.util.List;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.qsio.runtime.security.IdentitySnapshot;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.arc.ManagedContext;
import io.quarkus.security.StringPermission;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Quarkus Security on sockets: who a socket is (the identity the application's HTTP authentication established at
 * the handshake, or one authenticated from a token in the namespace CONNECT's {@code auth}), whether an
 * {@link Access} rule lets it in, and the identity made current while its handlers run, so that
 * {@code @Inject SecurityIdentity} and Quarkus' own security interceptors see it, as for an HTTP request.
 */
final class SocketSecurity {

    private static final Logger LOG = Logger.getLogger(SocketSecurity.class);

    /** The identity of a socket whose client presented none. */
    static final SecurityIdentity ANONYMOUS = IdentitySnapshot.ANONYMOUS;

    /** Why a socket is refused, as its client reads it in {@code connect_error} or in an acknowledgement. */
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";

    private SocketSecurity() {
    }

    /** Whether the rule lets the identity in; a failed permission check refuses. */
    static Uni<Boolean> allows(Access access, SecurityIdentity identity) {
        if (access == null) {
            return Uni.createFrom().item(true);
        }
        return switch (access.rule()) {
            case PERMIT_ALL -> Uni.createFrom().item(true);
            case DENY_ALL -> Uni.createFrom().item(false);
            case AUTHENTICATED -> Uni.createFrom().item(!identity.isAnonymous());
            case ROLES -> Uni.createFrom().item(hasRole(access, identity));
            case PERMISSIONS -> permitted(access, identity, 0);
        };
    }

    private static boolean hasRole(Access access, SecurityIdentity identity) {
        if (identity.isAnonymous()) {
            return false;
        }
        for (String role : access.values()) {
            if ("**".equals(role) || identity.hasRole(role)) {
                return true;
            }
        }
        return false;
    }

    private static Uni<Boolean> permitted(Access access, SecurityIdentity identity, int index) {
        if (index >= access.values().size()) {
            return Uni.createFrom().item(false);
        }
        String value = access.values().get(index);
        int colon = value.indexOf(':');
        Permission permission = colon < 0 ? new StringPermission(value)
                : new StringPermission(value.substring(0, colon), value.substring(colon + 1));
        return identity.checkPermission(permission).onFailure().recoverWithItem(false)
                .chain(ok -> Boolean.TRUE.equals(ok) ? Uni.createFrom().item(true) : permitted(access, identity, index + 1));
    }

    /** Whether the identity's credential has expired already. */
    static boolean expired(SecurityIdentity identity) {
        long at = IdentitySnapshot.expiresAtMillis(identity);
        return at >= 0 && at <= System.currentTimeMillis();
    }

    /** The message for a refusal: nobody is known, or somebody is known and not allowed. */
    static String refusal(SecurityIdentity identity) {
        return identity.isAnonymous() ? UNAUTHORIZED : FORBIDDEN;
    }

    /**
     * Authenticates a token from a CONNECT's {@code auth} with the application's identity providers (those of
     * {@code quarkus-smallrye-jwt} or {@code quarkus-oidc} take bearer tokens). Fails when no provider accepts it, or
     * when the application has no Quarkus Security.
     */
    static Uni<SecurityIdentity> authenticate(String token) {
        IdentityProviderManager providers = lookup(IdentityProviderManager.class);
        if (providers == null) {
            return Uni.createFrom().failure(new IllegalStateException("no identity provider to verify the token with"));
        }
        // Verifying a token costs a signature check, and a provider may wait on an authorization server: it runs on a
        // worker thread, so that the connection's event loop goes on serving its other connections meanwhile
        return providers.authenticate(new TokenAuthenticationRequest(credential(token)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * The credential a bearer token makes for the application's identity providers: each security extension takes
     * its own kind ({@code quarkus-smallrye-jwt} its {@code JsonWebTokenCredential}, {@code quarkus-oidc} its
     * {@code AccessTokenCredential}), found by name so that neither is a dependency; a plain bearer
     * {@link TokenCredential} otherwise.
     */
    private static TokenCredential credential(String token) {
        for (String type : BEARER_CREDENTIALS) {
            try {
                Class<?> c = Class.forName(type, false, Thread.currentThread().getContextClassLoader());
                return (TokenCredential) c.getConstructor(String.class).newInstance(token);
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                // that extension is not in the application
            }
        }
        return new TokenCredential(token, "bearer");
    }

    private static final List<String> BEARER_CREDENTIALS = List.of(
            "io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential",
            "io.quarkus.oidc.AccessTokenCredential");

    /**
     * Runs a handler with the socket's identity current: the request context is active (a new one, ended after the
     * call, unless one already is) and holds the identity, as for an HTTP request. Without Quarkus Security in the
     * application, the handler just runs.
     */
    static <T> T withIdentity(SecurityIdentity identity, Supplier<T> call) {
        ArcContainer arc = Arc.container();
        if (arc == null || !associating()) {
            return call.get();
        }
        ManagedContext request = arc.requestContext();
        boolean activated = !request.isActive();
        if (activated) {
            request.activate();
        }
        try {
            InstanceHandle<CurrentIdentityAssociation> association = arc.instance(CurrentIdentityAssociation.class);
            if (association.isAvailable()) {
                association.get().setIdentity(identity);
            }
            return call.get();
        } finally {
            if (activated) {
                request.terminate();
            }
        }
    }

    /** Whether handlers run with their socket's identity current: the application has Quarkus Security. */
    static boolean associating() {
        return Holder.ASSOCIATION;
    }

    /** Whether the application has a {@link CurrentIdentityAssociation} (Quarkus Security is present). */
    private static final class Holder {
        static final boolean ASSOCIATION = lookup(CurrentIdentityAssociation.class) != null;
    }

    private static <T> T lookup(Class<T> type) {
        ArcContainer arc = Arc.container();
        if (arc == null) {
            return null;
        }
        try {
            InstanceHandle<T> h = arc.instance(type);
            return h.isAvailable() ? h.get() : null;
        } catch (RuntimeException e) {
            LOG.debugf("no %s: %s", type.getSimpleName(), e.getMessage());
            return null;
        }
    }
}
