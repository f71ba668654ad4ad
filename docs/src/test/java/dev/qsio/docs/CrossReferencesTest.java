package dev.qsio.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every cross reference of the documentation pages and of the README leads somewhere: the page it names exists and
 * has the anchor it names. Anchors are the explicit ones ({@code [[id]]}, {@code [#id]}, {@code anchor:id[]}) and the
 * ids Asciidoctor gives section titles (the page attributes set no {@code idprefix}: an underscore, then the title in
 * lower case with each run of spaces, dots and hyphens made one underscore, other punctuation dropped), those of the
 * files a page includes counted as the page's; the README's own headings as GitHub makes their anchors.
 */
class CrossReferencesTest {

    static final Path PAGES = Path.of("modules/ROOT/pages");
    static final Path README = Path.of("../README.md");

    private static final Pattern XREF = Pattern.compile("xref:([A-Za-z0-9_./-]+\\.adoc)(?:#([^\\[\\s]*))?\\[");
    private static final Pattern INTERNAL = Pattern.compile("<<([^,>\\s]+)(?:,[^>]*)?>>");
    private static final Pattern EXPLICIT = Pattern.compile(
            "\\[\\[([A-Za-z_][\\w.:-]*)(?:,[^\\]]*)?]]|^\\[#([A-Za-z_][\\w:-]*)[.%\\]]|anchor:([A-Za-z_][\\w:-]*)\\[",
            Pattern.MULTILINE);
    private static final Pattern SECTION = Pattern.compile("^={2,6} +(.+?) *$", Pattern.MULTILINE);
    private static final Pattern INCLUDE = Pattern.compile("^include::([^\\[]+)\\[", Pattern.MULTILINE);
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern MARKDOWN_HEADING = Pattern.compile("^#{1,6} +(.+?) *$", Pattern.MULTILINE);

    @Test
    void everyReferenceOfThePagesResolves() throws IOException {
        Map<String, Set<String>> anchors = new HashMap<>();
        List<Path> pages = pages();
        for (Path page : pages) {
            anchors.put(page.getFileName().toString(), anchors(page));
        }
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            String name = page.getFileName().toString();
            // a listing's text is code (a Go template's <<.Series>>), not references
            String text = stripListings(Files.readString(page));
            Matcher x = XREF.matcher(text);
            while (x.find()) {
                checked++;
                check(name, x.group(1), x.group(2), anchors, broken);
            }
            Matcher i = INTERNAL.matcher(text);
            while (i.find()) {
                checked++;
                String target = i.group(1);
                int hash = target.indexOf('#');
                if (hash >= 0) {
                    check(name, target.substring(0, hash), target.substring(hash + 1), anchors, broken);
                } else {
                    check(name, name, target, anchors, broken);
                }
            }
        }
        assertThat(checked).as("references found").isGreaterThan(50);
        assertThat(broken).as("references that lead nowhere (of %d)", checked).isEmpty();
    }

    @Test
    void everyLinkOfTheReadmeResolves() throws IOException {
        String readme = Files.readString(README);
        Set<String> own = new LinkedHashSet<>();
        Matcher h = MARKDOWN_HEADING.matcher(readme);
        while (h.find()) {
            own.add(githubAnchor(h.group(1)));
        }
        List<String> broken = new ArrayList<>();
        Matcher m = MARKDOWN_LINK.matcher(readme);
        int checked = 0;
        while (m.find()) {
            String link = m.group(1);
            if (link.matches("[a-z]+:.*")) {
                continue;
            }
            checked++;
            int hash = link.indexOf('#');
            String file = hash >= 0 ? link.substring(0, hash) : link;
            String anchor = hash >= 0 ? link.substring(hash + 1) : null;
            if (file.isEmpty()) {
                if (!own.contains(anchor)) {
                    broken.add("README.md: #" + anchor + " is no heading of the README");
                }
                continue;
            }
            Path target = README.getParent().resolve(file).normalize();
            if (!Files.exists(target)) {
                broken.add("README.md: " + file + " does not exist");
            } else if (anchor != null && file.endsWith(".adoc") && !anchors(target).contains(anchor)) {
                broken.add("README.md: " + file + " has no anchor " + anchor);
            }
        }
        assertThat(checked).as("links found").isGreaterThan(10);
        assertThat(broken).as("links that lead nowhere (of %d)", checked).isEmpty();
    }

    @Test
    void sectionIdsAreAsciidoctors() {
        assertThat(sectionId("Test it")).isEqualTo("_test_it");
        assertThat(sectionId("Many hosts: Redis")).isEqualTo("_many_hosts_redis");
        assertThat(sectionId("The `io` cookie and sticky sessions")).isEqualTo("_the_io_cookie_and_sticky_sessions");
        assertThat(sectionId("One process, two... hosts - why")).isEqualTo("_one_process_two_hosts_why");
        assertThat(githubAnchor("What you need (once)")).isEqualTo("what-you-need-once");
    }

    private static void check(String from, String page, String anchor, Map<String, Set<String>> anchors,
            List<String> broken) {
        Set<String> known = anchors.get(page);
        if (known == null) {
            broken.add(from + ": " + page + " is no page");
        } else if (anchor != null && !anchor.isEmpty() && !known.contains(anchor)) {
            broken.add(from + ": " + page + " has no anchor " + anchor);
        }
    }

    private static List<Path> pages() throws IOException {
        try (Stream<Path> files = Files.list(PAGES)) {
            return files.filter(p -> p.toString().endsWith(".adoc")).sorted().toList();
        }
    }

    /** The anchors of a page, with those of the files it includes. */
    static Set<String> anchors(Path page) throws IOException {
        Set<String> ids = new LinkedHashSet<>();
        collect(page, ids, 0);
        return ids;
    }

    private static void collect(Path file, Set<String> ids, int depth) throws IOException {
        String text = Files.readString(file);
        Matcher e = EXPLICIT.matcher(text);
        while (e.find()) {
            for (int g = 1; g <= 3; g++) {
                if (e.group(g) != null) {
                    ids.add(e.group(g));
                }
            }
        }
        Matcher s = SECTION.matcher(stripListings(text));
        while (s.find()) {
            String id = sectionId(s.group(1));
            String unique = id;
            for (int n = 2; ids.contains(unique); n++) {
                unique = id + "_" + n;
            }
            ids.add(unique);
        }
        Matcher i = INCLUDE.matcher(text);
        while (i.find() && depth < 5) {
            Path included = file.getParent().resolve(i.group(1).strip()).normalize();
            if (Files.exists(included) && included.toString().endsWith(".adoc")) {
                collect(included, ids, depth + 1);
            }
        }
    }

    /** The text without its listing and literal blocks, whose lines are no titles. */
    private static String stripListings(String text) {
        return text.replaceAll("(?ms)^(-{4,}|\\.{4,})$.*?^\\1$", "");
    }

    /** The id Asciidoctor gives a section title, with the default idprefix and idseparator ({@code _}). */
    static String sectionId(String title) {
        String t = title.replaceAll("\\[\\[[^\\]]*]]", "").replaceAll("[`*]", "").toLowerCase(Locale.ROOT);
        t = t.replaceAll("<[^>]+>|&(?:[a-z][a-z]+\\d{0,2}|#\\d{2,5}|#x[\\da-f]{3,4});", "");
        t = t.replaceAll("[^ \\p{L}\\p{N}_.-]", "");
        t = t.replaceAll("[ .-]+", "_");
        t = t.replaceAll("_+$", "");
        return "_" + t;
    }

    /** The anchor GitHub gives a Markdown heading. */
    static String githubAnchor(String heading) {
        return heading.replaceAll("[`*]", "").toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }
}
