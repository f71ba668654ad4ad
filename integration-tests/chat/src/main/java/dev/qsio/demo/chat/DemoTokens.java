package dev.qsio.demo.chat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.jwt.build.Jwt;

/**
 * Issues the demo's tokens: a stand-in for the identity provider a real application has (Keycloak, an OIDC
 * server, a login endpoint). Anyone may ask for any name, with or without the "staff" role: this is a demo, and its
 * signing key (src/main/resources/demo-keys) is public. The tokens last 10 minutes.
 */
@Path("/api/token")
public class DemoTokens {

    public record Request(String user, boolean staff) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response issue(Request request) {
        if (request == null || request.user() == null || request.user().isBlank() || request.user().length() > 40) {
            return Response.status(400).entity(Map.of("error", "user is required (at most 40 characters)")).build();
        }
        String token = Jwt.issuer(DemoSecurity.ISSUER).upn(request.user()).subject(request.user())
                .groups(request.staff() ? Set.of("staff") : Set.of("guest")).expiresIn(Duration.ofMinutes(10)).sign();
        return Response.ok(Map.of("token", token)).build();
    }

    /** The demo's issuer, as the application checks it. */
    static final class DemoSecurity {
        static final String ISSUER = "https://demo.quarkus-socketio.dev";

        private DemoSecurity() {
        }
    }
}
