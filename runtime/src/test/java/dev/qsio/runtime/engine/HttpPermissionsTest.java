package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Which of Quarkus' HTTP permissions cover an engine path, so that the WebTransport listener warns of those its
 * sessions pass by: the path patterns Quarkus takes (exact, a prefix ending with {@code /*}, {@code *} for a segment),
 * the policies that check nothing ({@code permit}) and the permissions turned off left out.
 */
class HttpPermissionsTest {

    static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    }

    static List<String> covering(Map<String, String> properties, String... paths) {
        return HttpPermissions.covering(config(properties), List.of(paths));
    }

    @Test
    void aPermissionOverEverythingCoversTheEnginePath() {
        assertThat(covering(Map.of("quarkus.http.auth.permission.all.paths", "/*",
                "quarkus.http.auth.permission.all.policy", "authenticated"), "/socket.io"))
                .containsExactly("quarkus.http.auth.permission.all (policy authenticated, paths /*)");
    }

    @Test
    void thePatternsQuarkusTakes() {
        assertThat(HttpPermissions.matches("/socket.io/*", "/socket.io")).isTrue();
        assertThat(HttpPermissions.matches("/socket.io/*", "/socket.io/")).isTrue();
        assertThat(HttpPermissions.matches("/socket.io", "/socket.io/")).isTrue();
        assertThat(HttpPermissions.matches("/socket.io/", "/socket.io")).isTrue();
        assertThat(HttpPermissions.matches("/*/x", "/eio/x")).isTrue();
        assertThat(HttpPermissions.matches("/*", "/eio")).isTrue();
        assertThat(HttpPermissions.matches("*", "/eio")).isTrue();
        // another path, a prefix of a longer name, a pattern under the path, nothing
        assertThat(HttpPermissions.matches("/api/*", "/socket.io")).isFalse();
        assertThat(HttpPermissions.matches("/socket/*", "/socket.io")).isFalse();
        assertThat(HttpPermissions.matches("/socket.io/admin", "/socket.io")).isFalse();
        assertThat(HttpPermissions.matches("", "/socket.io")).isFalse();
    }

    @Test
    void permitAndTurnedOffPermissionsCheckNothing() {
        assertThat(covering(Map.of(
                "quarkus.http.auth.permission.open.paths", "/socket.io/*",
                "quarkus.http.auth.permission.open.policy", "permit",
                "quarkus.http.auth.permission.off.paths", "/socket.io/*",
                "quarkus.http.auth.permission.off.policy", "deny",
                "quarkus.http.auth.permission.off.enabled", "false"), "/socket.io")).isEmpty();
    }

    @Test
    void eachCoveringPermissionIsNamedOnceWithItsPolicyAndPaths() {
        assertThat(covering(Map.of(
                "quarkus.http.auth.permission.api.paths", "/api/*",
                "quarkus.http.auth.permission.api.policy", "authenticated",
                "quarkus.http.auth.permission.staff.paths", "/admin/*,/eio/*",
                "quarkus.http.auth.permission.staff.policy", "staff-only",
                "quarkus.http.auth.permission.\"sio deny\".paths", "/socket.io",
                "quarkus.http.auth.permission.\"sio deny\".policy", "deny"), "/socket.io", "/eio"))
                .containsExactly(
                        "quarkus.http.auth.permission.\"sio deny\" (policy deny, paths /socket.io)",
                        "quarkus.http.auth.permission.staff (policy staff-only, paths /admin/*,/eio/*)");
    }
}
