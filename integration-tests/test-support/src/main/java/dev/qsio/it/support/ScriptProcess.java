package dev.qsio.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Node script of the test clients ({@code integration-tests/clients}) that answers commands, one line each on its
 * stdin, with one JSON line each on its stdout ({@code {"event": ...}}), such as the Chromium tabs' scripts. Closing
 * it sends {@code exit} and waits for it to end (15 s, then it is killed).
 */
public final class ScriptProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private ScriptProcess(Process process) {
        this.process = process;
        this.out = process.inputReader(StandardCharsets.UTF_8);
        this.in = process.outputWriter(StandardCharsets.UTF_8);
    }

    /** Starts {@code node <script> <args...>} in the clients' directory; its stderr goes to the test's. */
    public static ScriptProcess start(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", ClientDriver.clientsDir().resolve(script).toString()));
        command.addAll(List.of(args));
        return new ScriptProcess(new ProcessBuilder(command).directory(ClientDriver.clientsDir().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** Its next line, which must be the event {@code event}. */
    public synchronized JsonNode next(String event) throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new AssertionError("the script ended before its answer " + event);
        }
        JsonNode node = ClientDriver.JSON.readTree(line);
        if (!event.equals(node.path("event").asText())) {
            throw new AssertionError("the script answered " + line + ", expected the event " + event);
        }
        return node;
    }

    /** Sends {@code command} and returns its answer, the event {@code answer}. */
    public synchronized JsonNode ask(String command, String answer) throws IOException {
        in.write(command + "\n");
        in.flush();
        return next(answer);
    }

    @Override
    public void close() {
        try {
            in.write("exit\n");
            in.flush();
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
