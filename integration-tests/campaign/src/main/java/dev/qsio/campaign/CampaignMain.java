package dev.qsio.campaign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs campaigns from the machine's own namespace: makes the lab (network namespaces, a bridge, veth links), runs
 * {@link Campaign} inside its core namespace, and removes the lab on every way out (normal end, failure, SIGTERM or
 * Ctrl-C; after a SIGKILL the next run sweeps what is left, by the checkout's prefix). Needs root.
 * <p>
 * Arguments, {@code --name value}: {@code seed} (one campaign) or {@code seeds} (a comma-separated list) or
 * {@code minutes} with {@code first-seed} (seeds one after the other until the time is up: the long mode);
 * {@code variant} (redis-recovery, redis-plain, cluster-recovery; by default the seed chooses), {@code seconds} of
 * faults per campaign, {@code faults} (at most that many, the first of the schedule), {@code kinds} (the faults drawn from these
 * kinds only, comma-separated labels), {@code out} (a folder per seed below it), {@code soak} with {@code minutes} for
 * the soak, and
 * {@code lab} (letters added to the namespaces' prefix, for a second run beside the first).
 * Exit status: 0 when no campaign found a violation.
 */
public final class CampaignMain {

    public static void main(String[] args) throws Exception {
        System.exit(run(arguments(args)));
    }

    /** {@code --name value} pairs. */
    /** Server properties given as {@code k=v,k=v} ({@code --set}); none when null. */
    static Map<String, String> properties(String list) {
        Map<String, String> set = new LinkedHashMap<>();
        if (list != null) {
            for (String kv : list.split(",")) {
                set.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return set;
    }

    static Map<String, String> arguments(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            String name = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                a.put(name, args[++i]);
            } else {
                a.put(name, "true");
            }
        }
        return a;
    }

    /** Runs what the arguments ask for; returns the exit status. */
    public static int run(Map<String, String> args) throws Exception {
        Path module = Path.of(args.getOrDefault("module", ".")).toAbsolutePath().normalize();
        Path out = Path.of(args.getOrDefault("out", module.resolve("target/campaign").toString())).toAbsolutePath();
        // --lab names a second lab of the same checkout, so that a soak and a campaign can run side by side
        String prefix = Lab.prefixFor(module.getParent().getParent().getFileName().toString()) + args.getOrDefault("lab", "");
        String main = Campaign.class.getName();
        List<Long> seeds = new ArrayList<>();
        if (args.containsKey("seeds")) {
            for (String s : args.get("seeds").split(",")) {
                seeds.add(Long.parseLong(s.trim()));
            }
        } else if (!args.containsKey("minutes") || args.containsKey("soak")) {
            seeds.add(Long.parseLong(args.getOrDefault("seed", "1")));
        }
        long deadline = args.containsKey("minutes") && !args.containsKey("soak")
                ? System.currentTimeMillis() + Long.parseLong(args.get("minutes")) * 60_000
                : Long.MAX_VALUE;
        long next = Long.parseLong(args.getOrDefault("first-seed", "1"));
        int worst = 0;
        List<Path> reports = new ArrayList<>();
        for (int i = 0;; i++) {
            long seed;
            if (i < seeds.size()) {
                seed = seeds.get(i);
            } else if (deadline != Long.MAX_VALUE && System.currentTimeMillis() < deadline) {
                seed = next++;
            } else {
                break;
            }
            Map<String, String> one = new LinkedHashMap<>(args);
            one.remove("seeds");
            one.remove("first-seed");
            if (!args.containsKey("soak")) {
                one.remove("minutes");
            }
            one.put("seed", String.valueOf(seed));
            Path dir = seeds.size() == 1 && deadline == Long.MAX_VALUE ? out : out.resolve("seed-" + seed);
            one.put("out", dir.toString());
            one.put("module", module.toString());
            one.put("prefix", prefix);
            int status = inLab(prefix, main, one);
            worst = Math.max(worst, status);
            reports.add(dir.resolve("report.json"));
        }
        if (reports.size() > 1) {
            summary(reports, out.resolve("summary.txt"));
        }
        return worst;
    }

    /** Makes the lab, runs {@code main} inside its core namespace, and removes the lab whatever happens. */
    static int inLab(String prefix, String main, Map<String, String> args) throws Exception {
        Lab lab = Lab.create(prefix, Campaign.HOSTS);
        Process[] inner = new Process[1];
        Thread cleanup = new Thread(() -> {
            if (inner[0] != null && inner[0].isAlive()) {
                inner[0].destroy();
                try {
                    inner[0].waitFor(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            lab.close();
        }, "lab-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            List<String> cmd = new ArrayList<>(Lab.inside(lab.core()));
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("-Xmx1g");
            // the JIT of the applications it starts (ClusterProcess), as this JVM was told
            cmd.add("-Dqsio.it.jit=" + System.getProperty("qsio.it.jit", "quick"));
            cmd.add("-cp");
            cmd.add(classpath(Path.of(args.get("module"))));
            cmd.add(main);
            args.forEach((k, v) -> {
                cmd.add("--" + k);
                cmd.add(v);
            });
            inner[0] = new ProcessBuilder(cmd).directory(Path.of(args.get("module")).toFile())
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            // our end of its stdin stays open while we live: it exits when we are gone
            return inner[0].waitFor();
        } finally {
            cleanup.run();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /** This JVM's classpath, or, from bin/campaign, the module's classes and the file Maven wrote. */
    private static String classpath(Path module) throws IOException {
        Path file = module.resolve("target/campaign.classpath");
        String own = System.getProperty("java.class.path");
        if (own.contains("campaign") && own.contains("test-support")) {
            return own;
        }
        return module.resolve("target/classes") + ":" + Files.readString(file).strip();
    }

    /** The long mode's table: one line per seed, then the faults by kind and the convergence times. */
    static void summary(List<Path> reports, Path file) throws IOException {
        StringBuilder text = new StringBuilder("seed | variant | faults | violations | converged (ms, by kind)\n");
        Map<String, Integer> byKind = new LinkedHashMap<>();
        Map<String, List<Long>> convergence = new LinkedHashMap<>();
        int violations = 0;
        for (Path p : reports) {
            if (!Files.exists(p)) {
                text.append(p.getParent().getFileName()).append(" | no report (the campaign failed to run)\n");
                continue;
            }
            JsonNode r = History.JSON.readTree(p.toFile());
            violations += r.path("violations").size();
            r.path("faults").forEach(f -> {
                byKind.merge(f.path("kind").asText(), 1, Integer::sum);
                convergence.computeIfAbsent(f.path("kind").asText(), k -> new ArrayList<>())
                        .add(f.path("convergedMs").asLong(-1));
            });
            text.append(r.path("seed").asText()).append(" | ").append(r.path("variant").asText()).append(" | ")
                    .append(r.path("faults").size()).append(" | ").append(r.path("violations").size()).append(" | ")
                    .append(r.path("convergenceMs")).append('\n');
        }
        text.append("\nfaults by kind: ").append(byKind).append("\nviolations: ").append(violations)
                .append("\nconvergence (ms) by kind, min / median / max:\n");
        convergence.forEach((k, v) -> {
            List<Long> sorted = v.stream().sorted().toList();
            text.append("  ").append(k).append(": ").append(sorted.get(0)).append(" / ")
                    .append(sorted.get(sorted.size() / 2)).append(" / ").append(sorted.get(sorted.size() - 1))
                    .append(" (").append(sorted.size()).append(")\n");
        });
        Files.writeString(file, text);
        System.out.print(text);
    }
}
