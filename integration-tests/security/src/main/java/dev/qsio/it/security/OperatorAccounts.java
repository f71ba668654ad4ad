package dev.qsio.it.security;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The operators who may sign in to the management interface with basic authentication (in a real application, an
 * LDAP, a database or a properties file): "ops" has the role the cluster control endpoints allow, "dev" does not.
 */
@ApplicationScoped
public class OperatorAccounts implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Map<String, String[]> ACCOUNTS = Map.of(
            "ops", new String[] { "ops-secret", "operator" },
            "dev", new String[] { "dev-secret", "developer" });

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String[] account = ACCOUNTS.get(request.getUsername());
        if (account == null || !account[0].equals(new String(request.getPassword().getPassword()))) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown operator or wrong password"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(
                request.getUsername())).addRole(account[1]).build());
    }
}
