package dev.qsio.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The configuration reference cannot drift from the code: its table is what quarkus-config-doc-maven-plugin generated
 * in this build from the configuration interfaces, and every key the pages name exists.
 */
class ConfigurationReferenceTest {

    static final Path PAGES = Path.of("modules/ROOT/pages");
    static final Path COMMITTED = PAGES.resolve("includes/quarkus-socketio.adoc");
    static final Path GENERATED = Path.of(System.getProperty("generated.dir", "target/quarkus-generated-doc/config"))
            .resolve("quarkus-socketio.adoc");

    @Test
    void thePageShowsTheReferenceGeneratedFromTheCode() throws IOException {
        assertThat(GENERATED).as("the reference generated in this build").exists();
        if (Boolean.getBoolean("config-doc.update")) {
            Files.copy(GENERATED, COMMITTED, StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Files.readString(COMMITTED))
                .as("%s differs from the reference generated from the configuration interfaces (%s): refresh it with "
                        + "./mvnw -B -pl docs test -Dconfig-doc.update, after installing runtime and deployment", COMMITTED,
                        GENERATED)
                .isEqualTo(Files.readString(GENERATED));
        assertThat(Files.readString(PAGES.resolve("configuration.adoc")))
                .contains("include::includes/quarkus-socketio.adoc[");
    }

    @Test
    void everyKeyThePagesNameExists() throws IOException {
        Set<String> keys = declaredKeys();
        assertThat(keys).contains("quarkus.socketio.path", "quarkus.socketio.cluster.enabled",
                "quarkus.socketio.cluster.shutdown-timeout");
        Pattern mention = Pattern.compile("quarkus\\.socketio\\.[a-z0-9.-]*[a-z0-9]");
        List<String> unknown = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> pages = Files.list(PAGES)) {
            pages.filter(p -> p.toString().endsWith(".adoc")).forEach(files::add);
        }
        files.add(Path.of("../README.md"));
        for (Path file : files) {
            Matcher m = mention.matcher(Files.readString(file));
            while (m.find()) {
                String key = m.group();
                boolean known = keys.contains(key) || keys.stream().anyMatch(k -> k.startsWith(key + "."));
                if (!known) {
                    unknown.add(file.getFileName() + ": " + key);
                }
            }
        }
        assertThat(unknown).as("keys named in the documentation that the extension does not have").isEmpty();
    }

    /** The keys of the configuration model the extension processor wrote into the runtime jar. */
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
}
