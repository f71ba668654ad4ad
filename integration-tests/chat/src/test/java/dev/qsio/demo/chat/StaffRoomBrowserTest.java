package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The demo's staff room (a namespace with {@code @RolesAllowed("staff")}) in headless Chromium: pages get a token
 * from the demo and send it in the CONNECT's auth; two staff members talk, signed with the names in their tokens; a
 * guest's token is refused with "Forbidden" and the guest sees nothing.
 */
@QuarkusTest
public class StaffRoomBrowserTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void staffTalkAndGuestsAreRefused() throws Exception {
        Path shots = Path.of("target/screenshots/staff").toAbsolutePath();
        Path clients = ClientDriver.clientsDir();
        Process p = new ProcessBuilder("node", clients.resolve("browser-staff.mjs").toString(), root.toString(),
                shots.toString()).directory(clients.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the browser did not finish within 90 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        JsonNode result = ClientDriver.JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
        assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("status").asText()).contains("signed in as ada");
        assertThat(result.path("received").asText()).contains("staff only").contains("from ada");
        assertThat(result.path("guest").asText()).isEqualTo("Forbidden");
        assertThat(result.path("guestMessages").asInt()).isZero();
        assertThat(shots.resolve("staff-guest.png")).isNotEmptyFile();
    }
}
