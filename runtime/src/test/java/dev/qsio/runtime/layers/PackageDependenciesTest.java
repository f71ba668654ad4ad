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
 * cycle, every package has its place in the layers table, and no layer reaches up (the lower layers call back through
 * interfaces of their own).
 */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern TYPE_REFERENCE = Pattern.compile("\\b(dev\\.qsio(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** Package (short name) to the packages its sources name. */
    static final Map<String, Set<String>> GRAPH = new TreeMap<>();

    /** The packages whose sources name OpenTelemetry's classes. */
    static final Set<String> OPENTELEMETRY = new TreeSet<>();

    /** The sources that reach into what the frameworks do not expose: impl packages, Netty's Channel.unsafe(). */
    static final Set<String> INTERNALS = new TreeSet<>();

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
                    if (line.contains(".unsafe()") || line.matches(".*\\b(io\\.vertx|io\\.quarkus)(\\.\\w+)*\\.impl\\..*")
                            || line.contains("io.quarkus.bootstrap.")) {
                        INTERNALS.add(SOURCES.relativize(file).toString());
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

    /** A layer: its packages (none uses another of the same layer) and what it is. */
    record Layer(List<String> packages, String what) {
    }

    private static Layer layer(String what, String... packages) {
        return new Layer(List.of(packages), what);
    }

    /**
     * The layers, lowest first, as the overview's layers table lists them: a package uses only the packages of the
     * layers before its own (the lower layers call back through interfaces of their own).
     */
    static final List<Layer> LAYERS = List.of(
            layer("the public API: annotations and interfaces, no implementation", "api"),
            layer("below every layer: the configuration, identities as they cross servers, the figures' vocabulary, "
                    + "requests that wait for answers, live reload's hooks, the one door into Vert.x and Quarkus "
                    + "internals, peers' bytes read without trusting what they declare, the tracing hooks every layer "
                    + "calls", "config", "security", "figures", "requests", "devmode", "internals", "codec", "spans"),
            layer("connections passing between processes (the primary's acceptor, the workers' hand-off), the HTTP "
                    + "server's settings, the HTTP/3 listener that WebTransport sessions arrive on: they know no "
                    + "session, packet or bus", "handoff", "http", "webtransport"),
            layer("Engine.IO: knows nothing of Socket.IO or the cluster", "engine"),
            layer("sessions owned by another server: the engine reaches them through its OtherServers port",
                    "remote"),
            layer("Socket.IO packets", "protocol"),
            layer("rooms and delivery of one process: the adapter sees sockets through LocalSockets", "adapter"),
            layer("how servers reach each other: the bus carries messages without knowing rooms or sessions", "bus"),
            layer("the cluster-wide adapter over a bus or a wire, below the server as Node's ClusterAdapter is below "
                    + "socket.io: it needs nothing of the server", "clusteradapter"),
            layer("namespaces and sockets: the server is given its adapter, it does not build the cluster's", "server"),
            layer("what a wire between hosts offers the layers above: membership, the adapter's link, the "
                    + "recovery store, figures", "wire"),
            layer("the wires between hosts, each one package chosen by quarkus.socketio.bus; none uses another",
                    "redis", "postgres"),
            layer("primary, workers, supervision, the choice of wire", "cluster"),
            layer("an application that serves no sockets: the emitter, on the wire that Wires names", "emitter"),
            layer("the server side of the Socket.IO Admin UI: a view on the server and the engine", "admin"),
            layer("views on all of the above; nothing depends on them", "dev.qsio.runtime", "health", "metrics",
                    "devui", "tracing"));

    @Test
    void everyPackageIsInTheLayersTable() {
        Set<String> listed = new TreeSet<>();
        LAYERS.forEach(l -> listed.addAll(l.packages()));
        assertThat(listed).as("the packages of the layers table").containsExactlyInAnyOrderElementsOf(GRAPH.keySet());
    }

    @Test
    void theAdminUiSeesTheServerNotTheWires() {
        assertThat(GRAPH.get("admin")).as("the Admin UI is a view on the server and the engine, not on the wires")
                .doesNotContain("bus", "cluster", "clusteradapter", "adapter", "wire", "redis", "postgres", "remote",
                        "emitter");
    }

    @Test
    void theViewsAskTheProcessRoleAndNeverBranchOnIt() throws IOException {
        // a view reads the same in one process, a primary and a worker: what differs is the role's (cluster.ProcessRole)
        Pattern branch = Pattern.compile("\\bisPrimary\\(|\\bisWorker\\(|Role\\.(PRIMARY|WORKER|SINGLE)|\\bswitch \\(\\w+\\.role\\(\\)"
                + "|import dev\\.qsio\\.runtime\\.cluster\\.(Primary|Worker);");
        List<String> found = new ArrayList<>();
        for (String view : List.of("health", "metrics", "devui", "admin")) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve("dev/qsio/runtime/" + view))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        if (branch.matcher(lines.get(i)).find()) {
                            found.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertThat(found).as("views that branch on the process role or reach for the primary or the worker").isEmpty();
    }

    @Test
    void theAdaptersSelectSocketsAndNameNoEngineType() {
        // a broadcast climbs down once: the adapter selects sockets, the server's delivery applies each socket's rules,
        // the engine's Fanout writes; the adapters never reach into the engine's sessions
        assertThat(GRAPH.get("adapter")).as("the in-memory adapter").doesNotContain("engine");
        assertThat(GRAPH.get("clusteradapter")).as("the cluster adapter").doesNotContain("engine");
    }

    @Test
    void theTracingViewSeesTheServersHooksNotTheWires() {
        assertThat(GRAPH.get("tracing")).as("tracing is a view on the server's hooks, not on the wires")
                .doesNotContain("bus", "cluster", "clusteradapter", "wire", "redis", "postgres", "remote", "admin",
                        "emitter");
    }

    @Test
    void onlyFrameworkInternalsReachesIntoTheFrameworks() {
        // one class holds every reach into what Vert.x, Netty and Quarkus do not expose, and its test checks each
        // one against the versions of the build
        assertThat(INTERNALS).containsExactly("dev/qsio/runtime/internals/FrameworkInternals.java");
    }

    @Test
    void onlyTheTracingViewKnowsOpenTelemetry() {
        // the runtime works without quarkus-opentelemetry: the layers call their own hooks (spans.Tracing)
        assertThat(OPENTELEMETRY).containsExactly("tracing");
    }

    @Test
    void eachLayerUsesOnlyTheLayersBeforeIt() {
        Set<String> below = new TreeSet<>();
        for (Layer layer : LAYERS) {
            for (String pkg : layer.packages()) {
                assertThat(GRAPH.getOrDefault(pkg, Set.of())).as("%s (%s) uses only %s", pkg, layer.what(), below)
                        .isSubsetOf(below);
            }
            below.addAll(layer.packages());
        }
    }
}
