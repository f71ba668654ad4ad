package dev.qsio.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClusterProcess;

/**
 * What the soak measures of each worker, at its start and at its end: the live heap after a full GC and the number of
 * live instances of each class of the extension ({@code jcmd GC.class_histogram}, which collects first), the sessions
 * and sockets the worker counts, the native memory outside the heap that Netty's direct buffers take (NMT's
 * {@code Other}), and the open file descriptors.
 */
final class Soak {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private Soak() {
    }

    /** The JVM options the soak's hosts run with, for NMT. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:NativeMemoryTracking=summary");

    /** One worker's figures. */
    static Map<String, Object> measure(ClusterProcess host, JsonNode worker) {
        long pid = worker.path("pid").asLong();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        String histogram = jcmd(pid, "GC.class_histogram");
        Map<String, Long> classes = new TreeMap<>();
        for (String line : histogram.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find() && row.group(3).startsWith("dev.qsio.")) {
                classes.put(row.group(3), Long.parseLong(row.group(1)));
            }
            Matcher total = TOTAL.matcher(line);
            if (total.find()) {
                m.put("liveHeapBytes", Long.parseLong(total.group(2)));
            }
        }
        Matcher other = OTHER.matcher(jcmd(pid, "VM.native_memory", "summary"));
        m.put("nativeOtherKB", other.find() ? Long.parseLong(other.group(2)) : -1);
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            m.put("fds", fds.count());
        } catch (IOException e) {
            m.put("fds", -1);
        }
        JsonNode stats = worker.path("stats");
        m.put("engineSessions", stats.path("engine").path("sessions").asLong());
        long sockets = 0;
        for (JsonNode ns : stats.path("sockets")) {
            sockets += ns.path("websocket").asLong() + ns.path("polling").asLong();
        }
        m.put("sockets", sockets);
        m.put("classes", classes);
        return m;
    }

    private static String jcmd(long pid, String... command) {
        String jcmd = ProcessHandle.current().info().command().map(j -> Path.of(j).resolveSibling("jcmd").toString())
                .orElse("jcmd");
        List<String> cmd = new java.util.ArrayList<>(List.of(jcmd, String.valueOf(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run jcmd", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
