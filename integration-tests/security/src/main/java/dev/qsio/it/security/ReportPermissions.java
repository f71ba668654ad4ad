package dev.qsio.it.security;

import java.security.Permission;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.StringPermission;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.smallrye.mutiny.Uni;

/** Grants "reports:read" to identities with the "auditor" role, as an application maps roles to permissions. */
@ApplicationScoped
public class ReportPermissions implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !identity.hasRole("auditor")) {
            return Uni.createFrom().item(identity);
        }
        Function<Permission, Uni<Boolean>> checker = p -> Uni.createFrom()
                .item(new StringPermission("reports", "read").implies(p));
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addPermissionChecker(checker).build());
    }
}
