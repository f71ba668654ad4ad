package dev.qsio.it.codestart;

import static io.quarkus.devtools.codestarts.quarkus.QuarkusCodestartCatalog.Language.JAVA;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.devtools.testing.codestarts.QuarkusCodestartTest;

/**
 * An application created from the extension's codestart, as {@code quarkus create app dev.qsio:quarkus-socketio}
 * creates it: its files, then a build of it with Maven that runs its test.
 */
class SocketIoCodestartIT {

    /** The generated project's build compiles, packages and runs one {@code @QuarkusTest}: minutes, not more. */
    static final long BUILD_MINUTES = 10;

    @RegisterExtension
    static final QuarkusCodestartTest codestart = QuarkusCodestartTest.builder()
            .languages(JAVA)
            .setupStandaloneExtensionTest("dev.qsio:quarkus-socketio")
            .build();

    @Test
    void theChatAndItsTest() throws Throwable {
        codestart.assertThatGeneratedFile(JAVA, "src/main/java/ilove/quark/us/ChatSocket.java").exists()
                .content().contains("package ilove.quark.us;", "@SocketIo(\"/chat\")", "@OnEvent(\"message\")");
        codestart.assertThatGeneratedFile(JAVA, "src/test/java/ilove/quark/us/ChatSocketTest.java").exists()
                .content().contains("@QuarkusTest", "SocketIoConnector.create().namespace(\"/chat\")");
        codestart.assertThatGeneratedFile(JAVA, "src/main/resources/META-INF/resources/chat.html").exists()
                .content().contains("/socket.io/socket.io.min.js", "io(\"/chat\")");
        codestart.assertThatGeneratedFile(JAVA, "pom.xml").exists().content()
                .contains("<artifactId>quarkus-socketio</artifactId>", "<artifactId>quarkus-socketio-test-kit</artifactId>");
        codestart.assertThatGeneratedFile(JAVA, "README.md").exists().content().contains("ChatSocketTest");
    }

    @Test
    @EnabledIfSystemProperty(named = "codestart.build", matches = "true")
    void theGeneratedProjectBuildsAndItsTestPasses() throws Exception {
        Path project = codestart.getProjectWithRealDataDir(JAVA).toAbsolutePath();
        assertThat(project.resolve("pom.xml")).exists();
        Path log = project.resolve("build.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("maven.home"), "bin", "mvn").toString());
        cmd.addAll(List.of("-B", "-f", project.resolve("pom.xml").toString(), "verify",
                "-Dmaven.repo.local=" + System.getProperty("codestart.repo"),
                "-Dmaven.repo.local.tail=" + System.getProperty("codestart.repo.tail"),
                // the generated test's HTTP port: any free one
                "-Dquarkus.http.test-port=0"));
        Process build = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            assertThat(build.waitFor(BUILD_MINUTES, TimeUnit.MINUTES))
                    .as("the generated project's build ended within %d minutes; log: %s", BUILD_MINUTES, log).isTrue();
        } finally {
            build.descendants().forEach(ProcessHandle::destroyForcibly);
            build.destroyForcibly();
        }
        String output = read(log);
        assertThat(build.exitValue()).as("the generated project's build failed; its log: %s\n%s", log, tail(output))
                .isZero();
        assertThat(output).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0")
                .contains("Running ilove.quark.us.ChatSocketTest");
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }
}
