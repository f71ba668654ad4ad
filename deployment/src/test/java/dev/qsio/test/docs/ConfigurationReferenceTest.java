package dev.qsio.test.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every configuration key of the extension (from the model the extension processor generates out of the
 * configuration interfaces) is documented in the configuration reference, and the reference names no key that does
 * not exist: a new key without documentation fails the build.
 */
class ConfigurationReferenceTest {

    static final Path REFERENCE = Path.of("../docs/modules/ROOT/pages/configuration.adoc");

    static Set<String> declaredKeys() throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader()
                .getResourceAsStream("META-INF/quarkus-config-doc/quarkus-config-model.json")) {
            assertThat(in).as("the configuration model of the runtime module").isNotNull();
            Set<String> keys = new TreeSet<>();
            collect(new ObjectMapper().readTree(in), keys);
            return keys;
        }
    }

    private static void collect(JsonNode node, Set<String> keys) {
        if (node.isObject()) {
            if (node.path("@class").asText().endsWith(".ConfigProperty")) {
                String key = node.path("path").path("property").asText();
                if (key.startsWith("quarkus.socketio.")) {
                    keys.add(key);
                }
            }
            node.forEach(child -> collect(child, keys));
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, keys));
        }
    }

    @Test
    void everyKeyIsDocumentedAndEveryDocumentedKeyExists() throws IOException {
        Set<String> declared = declaredKeys();
        assertThat(declared).contains("quarkus.socketio.path", "quarkus.socketio.ping-interval",
                "quarkus.socketio.cluster.workers", "quarkus.socketio.cluster.control.token");
        String reference = Files.readString(REFERENCE);
        Set<String> missing = new TreeSet<>();
        for (String key : declared) {
            if (!reference.contains("`" + key + "`")) {
                missing.add(key);
            }
        }
        assertThat(missing).as("keys missing from %s", REFERENCE).isEmpty();

        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("^\\|`(quarkus\\.socketio\\.[a-z0-9.\\-]+)`",
                Pattern.MULTILINE).matcher(reference);
        while (m.find()) {
            documented.add(m.group(1));
        }
        documented.removeAll(declared);
        assertThat(documented).as("documented keys that do not exist").isEmpty();
    }
}
