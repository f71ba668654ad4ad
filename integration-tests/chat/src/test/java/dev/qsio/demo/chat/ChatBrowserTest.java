package dev.qsio.demo.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The demo page in headless Chromium: two pages connect, one sends a chat message, the other shows it. The
 * screenshots are kept in {@code target/screenshots}.
 */
@QuarkusTest
public class ChatBrowserTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void twoPagesChat() throws Exception {
        Path shots = Path.of("target/screenshots").toAbsolutePath();
        JsonNode result = runBrowser(root.toString(), shots);
        assertThat(result.get("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("received").asText()).contains("hello from page one").contains("delivered by worker 0");
        assertThat(result.get("acknowledged").asText()).contains("relayed by worker 0");
        assertThat(shots.resolve("chat-receiver.png")).isNotEmptyFile();
    }

    static JsonNode runBrowser(String url, Path shots) throws IOException, InterruptedException {
        return runBrowser(url, shots, false);
    }

    /** Runs the two-page chat in Chromium; with {@code distinctWorkers}, the pages reload until two workers serve them. */
    public static JsonNode runBrowser(String url, Path shots, boolean distinctWorkers) throws IOException, InterruptedException {
        return runBrowser(url, shots, distinctWorkers, "");
    }

    /** The same, the second tab opening {@code secondPage} (relative to the url) and answering the first. */
    public static JsonNode runBrowser(String url, Path shots, boolean distinctWorkers, String secondPage)
            throws IOException, InterruptedException {
        Path clients = ClientDriver.clientsDir();
        Process p = new ProcessBuilder("node", clients.resolve("browser-chat.mjs").toString(), url, shots.toString(),
                distinctWorkers ? "distinct-workers" : "any-workers", secondPage)
                .directory(clients.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the browser did not finish within 90 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Files.createDirectories(shots);
        return ClientDriver.JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
    }
}
