package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The table of Node's server test cases in the docs ({@code docs/modules/ROOT/pages/includes/node-cases.adoc}), made
 * from {@code node-cases.tsv} and the {@link NodeCase}s of this module's tests: each case passes here (a test holds
 * it), is written off (the reason in the manifest) or is open. Fails when a test names a case the manifest lacks,
 * when a case is both held and written off, or when the committed table differs from the one made now; with
 * {@code -Dnode-cases.update} it writes the table instead.
 */
class NodeCasesTableTest {

    static final Path MODULE = module();
    static final Path MANIFEST = MODULE.resolve("node-cases.tsv");
    static final Path TABLE = MODULE.resolve("../../docs/modules/ROOT/pages/includes/node-cases.adoc").normalize();

    record Case(String file, String name, String writtenOff) {
    }

    record Held(String testClass, String method) {
    }

    @Test
    void theTableIsMadeFromTheManifestAndTheTests() throws IOException {
        List<Case> cases = manifest();
        Map<String, Held> held = held();
        Map<String, Case> byKey = new LinkedHashMap<>();
        for (Case c : cases) {
            assertThat(byKey.put(key(c.file(), c.name()), c)).as("listed twice: %s", c).isNull();
        }
        List<String> problems = new ArrayList<>();
        held.forEach((k, h) -> {
            Case c = byKey.get(k);
            if (c == null) {
                problems.add(h.testClass() + "#" + h.method() + " names a case node-cases.tsv does not list: " + k);
            } else if (!c.writtenOff().isEmpty()) {
                problems.add(k + " is held by " + h.testClass() + "#" + h.method() + " and written off too");
            }
        });
        assertThat(problems).isEmpty();

        String table = table(cases, held);
        if (Boolean.getBoolean("node-cases.update")) {
            Files.writeString(TABLE, table);
            return;
        }
        assertThat(Files.exists(TABLE) ? Files.readString(TABLE) : "")
                .as("%s is not what node-cases.tsv and the tests make now: run ./mvnw -B -pl "
                        + "integration-tests/node-suites test -Dtest=NodeCasesTableTest -Dnode-cases.update", TABLE)
                .isEqualTo(table);
    }

    static String table(List<Case> cases, Map<String, Held> held) {
        Map<String, int[]> counts = new TreeMap<>();
        for (Case c : cases) {
            int[] n = counts.computeIfAbsent(c.file(), f -> new int[3]);
            n[held.containsKey(key(c.file(), c.name())) ? 0 : c.writtenOff().isEmpty() ? 2 : 1]++;
        }
        int[] total = new int[3];
        counts.values().forEach(n -> {
            for (int i = 0; i < 3; i++) {
                total[i] += n[i];
            }
        });
        StringBuilder s = new StringBuilder();
        s.append("// Made by NodeCasesTableTest (integration-tests/node-suites) from node-cases.tsv and the tests' "
                + "@NodeCase: do not edit.\n");
        s.append("[#node-cases-summary,cols=\"4,1,1,1,1\"]\n|===\n|File |Cases |Pass here |Written off |Open\n\n");
        counts.forEach((file, n) -> s.append("|`").append(file).append("` |").append(n[0] + n[1] + n[2])
                .append(" |").append(n[0]).append(" |").append(n[1]).append(" |").append(n[2]).append('\n'));
        s.append("|All |").append(total[0] + total[1] + total[2]).append(" |").append(total[0]).append(" |")
                .append(total[1]).append(" |").append(total[2]).append("\n|===\n");
        String file = null;
        for (Case c : cases.stream().sorted((a, b) -> a.file().compareTo(b.file())).toList()) {
            if (!c.file().equals(file)) {
                if (file != null) {
                    s.append("|===\n");
                }
                file = c.file();
                s.append("\n=== `").append(file).append("`\n\n[cols=\"5,3,4\"]\n|===\n|Case |Test |Verdict\n\n");
            }
            Held h = held.get(key(c.file(), c.name()));
            s.append("|").append(cell(c.name())).append("\n|");
            if (h != null) {
                s.append('`').append(h.testClass()).append('#').append(h.method()).append("`\n|passes\n");
            } else if (!c.writtenOff().isEmpty()) {
                s.append("\n|written off: ").append(cell(c.writtenOff())).append('\n');
            } else {
                s.append("\n|open\n");
            }
        }
        if (file != null) {
            s.append("|===\n");
        }
        return s.toString();
    }

    /** A case's text in a table cell: AsciiDoc's cell separator and passthroughs escaped. */
    static String cell(String text) {
        return text.replace("|", "\\|").replace("`", "pass:[`]").replace("{", "\\{");
    }

    static String key(String file, String name) {
        return file + " :: " + name;
    }

    static List<Case> manifest() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(MANIFEST, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            assertThat(f.length).as("file, case and reason (may be empty) in: %s", line).isEqualTo(3);
            cases.add(new Case(f[0], f[1], f[2].trim()));
        }
        return cases;
    }

    /** The cases the compiled tests of this module declare, by key. */
    static Map<String, Held> held() throws IOException {
        Path classes = classesRoot();
        Map<String, Held> held = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type;
                try {
                    type = Class.forName(name, false, NodeCasesTableTest.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                NodeFile file = type.getAnnotation(NodeFile.class);
                for (Method m : type.getDeclaredMethods()) {
                    NodeCase c = m.getAnnotation(NodeCase.class);
                    if (c == null) {
                        continue;
                    }
                    assertThat(file).as("%s declares a @NodeCase without a @NodeFile", type.getName()).isNotNull();
                    Held previous = held.put(key(file.value(), c.value()), new Held(type.getSimpleName(), m.getName()));
                    assertThat(previous).as("two tests hold %s", c.value()).isNull();
                }
            }
        }
        return held;
    }

    static Path classesRoot() {
        try {
            return Path.of(NodeCasesTableTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path module() {
        Path p = classesRoot();
        // target/test-classes
        return p.getParent().getParent();
    }
}
