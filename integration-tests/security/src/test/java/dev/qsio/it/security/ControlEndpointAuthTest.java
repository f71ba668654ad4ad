package dev.qsio.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The cluster control endpoints protected by the management interface's own authentication
 * ({@code quarkus.management.auth.basic=true}) and {@code quarkus.socketio.cluster.control.roles-allowed}, without a
 * token: an operator is let through (and told this process is not a cluster's primary), others get 401.
 */
@QuarkusTest
class ControlEndpointAuthTest {

    @TestHTTPResource(value = "/socketio/cluster/rolling-restart", management = true)
    URL restart;

    int post(String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(restart.toString()))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void operatorsPassOthersDoNot() throws Exception {
        // past authentication: a single process is no cluster's primary
        assertThat(post("ops", "ops-secret")).as(restart.toString()).isEqualTo(409);
        assertThat(post("dev", "dev-secret")).isEqualTo(401);
        assertThat(post(null, null)).isEqualTo(401);
        assertThat(post("ops", "wrong")).isEqualTo(401);
    }
}
