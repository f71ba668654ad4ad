package dev.qsio.it.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * Remembers on which thread each principal's credential was verified: augmentors run where the identity provider
 * completes, so this tells whether a token's verification kept an event loop busy.
 */
@ApplicationScoped
public class VerifyingThreads implements SecurityIdentityAugmentor {

    private final Map<String, String> threads = new ConcurrentHashMap<>();

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!identity.isAnonymous()) {
            threads.put(identity.getPrincipal().getName(),
                    (Context.isOnEventLoopThread() ? "event loop " : "") + Thread.currentThread().getName());
        }
        return Uni.createFrom().item(identity);
    }

    /** The thread that verified the principal's last credential, prefixed "event loop " when it was one; or null. */
    public String of(String principal) {
        return threads.get(principal);
    }
}
