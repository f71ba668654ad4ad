package dev.qsio.runtime.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of the runtime depend on each other in one direction: the package graph drawn from the sources has no
 * cycle, and the lower layers do not reach up (they call back through interfaces of their own).
 */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern TYPE_REFERENCE = Pattern.compile("\\b(dev\\.qsio(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** Package (short name) to the packages its sources name. */
    static final Map<String, Set<String>> GRAPH = new TreeMap<>();

    /** The packages whose sources name OpenTelemetry's classes. */
    static final Set<String> OPENTELEMETRY = new TreeSet<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = shortName(SOURCES.relativize(file.getParent()).toString().replace('/', '.'));
                Set<String> uses = GRAPH.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String line : Files.readAllLines(file)) {
                    String s = line.strip();
                    if (s.startsWith("*") || s.startsWith("//") || s.startsWith("/*") || s.startsWith("package ")) {
                        continue;
                    }
                    if (line.contains("io.opentelemetry.") || line.contains("io.quarkus.opentelemetry.")) {
                        OPENTELEMETRY.add(pkg);
                    }
                    Matcher m = TYPE_REFERENCE.matcher(line);
                    while (m.find()) {
                        String used = shortName(m.group(1));
                        if (!used.equals(pkg)) {
                            uses.add(used);
                        }
                    }
                }
            }
        }
        assertThat(GRAPH).as("the runtime's packages").containsKeys("engine", "protocol", "adapter", "server", "bus",
                "cluster", "handoff", "http", "devmode", "admin", "tracing");
    }

    private static String shortName(String pkg) {
        return pkg.equals("dev.qsio") ? "api" : pkg.replace("dev.qsio.runtime.", "");
    }

    @Test
    void noCycle() {
        List<String> cycles = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>();
        for (String start : GRAPH.keySet()) {
            visit(start, new ArrayList<>(), state, cycles);
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    private static void visit(String pkg, List<String> path, Map<String, Integer> state, List<String> cycles) {
        Integer s = state.get(pkg);
        if (s != null) {
            if (s == 1) {
                cycles.add(String.join(" -> ", path.subList(path.indexOf(pkg), path.size())) + " -> " + pkg);
            }
            return;
        }
        state.put(pkg, 1);
        path.add(pkg);
        for (String next : GRAPH.getOrDefault(pkg, Set.of())) {
            visit(next, path, state, cycles);
        }
        path.remove(path.size() - 1);
        state.put(pkg, 2);
    }

    @Test
    void lowerLayersDoNotReachUp() {
        assertThat(GRAPH.get("api")).as("the public API").isEmpty();
        assertThat(GRAPH.get("engine")).as("the engine knows nothing of Socket.IO or the cluster")
                .doesNotContain("protocol", "adapter", "server", "bus", "cluster", "clusteradapter");
        assertThat(GRAPH.get("protocol")).doesNotContain("adapter", "server", "bus", "cluster", "clusteradapter");
        assertThat(GRAPH.get("adapter")).as("the in-memory adapter sees sockets through LocalSockets")
                .doesNotContain("server", "bus", "cluster", "clusteradapter");
        assertThat(GRAPH.get("server")).as("the server is given its adapter; it does not build the cluster's")
                .doesNotContain("bus", "cluster", "clusteradapter");
        assertThat(GRAPH.get("bus")).as("the bus carries messages without knowing rooms or sessions")
                .doesNotContain("engine", "protocol", "adapter", "server", "cluster", "clusteradapter");
        assertThat(GRAPH.get("requests")).isEmpty();
        assertThat(GRAPH.get("handoff")).as("connections pass between processes below every layer: the primary's "
                + "acceptor and the workers' hand-off know no session, packet or bus").isEmpty();
        assertThat(GRAPH.get("http")).as("the HTTP server's settings read the configuration only").containsOnly("config");
        assertThat(GRAPH.get("devmode")).as("live reload's hooks are called, they call nothing").isEmpty();
        assertThat(GRAPH.get("security")).as("identities as they cross servers: below every layer").isEmpty();
        assertThat(GRAPH.get("admin")).as("the Admin UI is a view on the server and the engine, not on the wires")
                .doesNotContain("bus", "cluster", "clusteradapter", "adapter");
        GRAPH.forEach((pkg, uses) -> assertThat(uses).as("%s: nothing below the views depends on the Admin UI", pkg)
                .doesNotContain("admin"));
        assertThat(GRAPH.get("tracing")).as("tracing is a view on the server's hooks, not on the wires")
                .doesNotContain("bus", "cluster", "clusteradapter", "admin");
        GRAPH.forEach((pkg, uses) -> assertThat(uses).as("%s: nothing depends on the tracing view", pkg)
                .doesNotContain("tracing"));
    }

    @Test
    void onlyTheTracingViewKnowsOpenTelemetry() {
        // the runtime works without quarkus-opentelemetry: the layers call their own hooks (server.Tracing)
        assertThat(OPENTELEMETRY).containsExactly("tracing");
    }
}
