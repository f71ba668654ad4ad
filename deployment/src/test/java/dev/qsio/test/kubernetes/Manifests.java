package dev.qsio.test.kubernetes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;

/** The generated {@code kubernetes.yml} of a production build with {@code quarkus-kubernetes}, by kind. */
final class Manifests {

    static final List<Dependency> KUBERNETES = List.of(Dependency.of("io.quarkus", "quarkus-kubernetes",
            Version.getVersion()));

    private Manifests() {
    }

    @SocketIo("/")
    public static class Echo {
        @OnEvent("echo")
        String echo(String text) {
            return text;
        }
    }

    static Map<String, JsonNode> byKind(Path buildDir) throws IOException {
        Map<String, JsonNode> byKind = new HashMap<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class)
                .readValues(buildDir.resolve("kubernetes/kubernetes.yml").toFile())) {
            for (JsonNode doc : docs.readAll()) {
                if (doc != null && !doc.isEmpty()) {
                    byKind.put(doc.path("kind").asText(), doc);
                }
            }
        }
        return byKind;
    }
}
