package dev.qsio.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The figures of the benchmarks page are those of runs committed under {@code bench/runs/}: the page has no table of
 * its own, and each table it includes is what {@code bench/doc-tables.py} makes of a committed {@code results.json};
 * so are those other pages include (the overload campaign's, on the overload page), and every generated table is
 * included by some page.
 */
class BenchmarkTablesTest {

    static final Path PAGE = Path.of("modules/ROOT/pages/benchmarks.adoc");
    static final Path TABLES = Path.of("modules/ROOT/pages/includes/bench");

    @Test
    void everyTableIsGeneratedFromACommittedRun() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "bench/doc-tables.py", "--check").directory(Path.of("..").toFile())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bench/doc-tables.py --check ends").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("bench/doc-tables.py --check: %s", out).isZero();
    }

    @Test
    void thePageHasNoTableOfItsOwnAndThePagesIncludeEveryGeneratedOne() throws IOException {
        List<String> lines = Files.readAllLines(PAGE);
        List<String> own = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("|===")) {
                own.add("line " + (i + 1));
            }
        }
        assertThat(own).as("tables written in %s by hand (generate them: bench/doc-tables.py)", PAGE).isEmpty();
        List<String> included = new ArrayList<>();
        List<Path> pages;
        try (var files = Files.list(PAGE.getParent())) {
            pages = files.filter(f -> f.toString().endsWith(".adoc")).toList();
        }
        for (Path page : pages) {
            Matcher m = Pattern.compile("(?m)^include::includes/bench/([^\\[]+)\\[").matcher(Files.readString(page));
            while (m.find()) {
                included.add(m.group(1));
                assertThat(TABLES.resolve(m.group(1))).as("a table %s includes", page).exists();
            }
        }
        List<String> generated = new ArrayList<>();
        try (var files = Files.list(TABLES)) {
            files.map(f -> f.getFileName().toString()).forEach(generated::add);
        }
        assertThat(included).as("the generated tables the pages include").containsExactlyInAnyOrderElementsOf(generated);
    }
}
