package dev.qsio.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.qsio.runtime.config.AdminUiConfig;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.KubernetesConfig;
import dev.qsio.runtime.config.SocketIoBuildTimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.emitter.EmitterConfig;
import dev.qsio.runtime.postgres.PostgresConfig;
import dev.qsio.runtime.redis.RedisConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Every key of the configuration model, with its bad values, through the one check that startup runs
 * ({@link Settings#check}) and the one the build runs ({@link Settings#checkBuildTime}). The keys come from the model the build generates ({@code quarkus-config-model.yaml}), so a
 * new key is walked without anyone listing it:
 * <ul>
 * <li>by its type, values no key accepts: a negative number or duration, a duration under a millisecond, a number that
 * is not one, a boolean that is not true or false, an enum's unknown value;</li>
 * <li>by its entry in {@link #RULES}: its own bad values (0 where 0 is not "off", below its minimum, a pair that
 * contradicts another key) and its good edge values (0 where it means off, the minimum). A key of a numeric, duration,
 * string or list type without an entry fails the test: its author says what it accepts.</li>
 * </ul>
 * Each bad value must fail with a message naming its key; each good value must pass. The tests of
 * {@code dev.qsio.test.config} in the deployment module start applications with bad values to show that startup runs
 * this check (for example {@code MisspelledBooleanTest}).
 */
class SettingsTest {

    static final Path MODEL = Path.of("target/quarkus-config-doc/quarkus-config-model.yaml");

    record Key(String name, String type, boolean buildTime) {
    }

    /** One key's own values: those it must refuse and those it must accept, each with the other keys it needs. */
    record Rule(List<String> bad, List<String> good, Map<String, String> context) {
    }

    static final List<Map.Entry<String, Rule>> RULES = new ArrayList<>();

    static void rule(String key, List<String> bad, List<String> good, String... context) {
        Map<String, String> c = new LinkedHashMap<>();
        for (int i = 0; i < context.length; i += 2) {
            c.put("quarkus.socketio." + context[i], context[i + 1]);
        }
        RULES.add(Map.entry("quarkus.socketio." + key, new Rule(bad, good, c)));
    }

    /** A key that takes any text: said so, with the reason. */
    static void anyText(String key, String why) {
        RULES.add(Map.entry("quarkus.socketio." + key, new Rule(List.of(), List.of("x", "some value"), Map.of())));
    }

    static {
        // the Admin UI: its own settings are checked whether it is on or not; its credentials when it is on
        anyText("admin-ui.roles-allowed", "role names");
        rule("admin-ui.username", List.of(" "), List.of("admin"), "admin-ui.enabled", "true", "admin-ui.password",
                "$2a$10$" + "a".repeat(53));
        rule("admin-ui.password", List.of(" ", "secret", "x".repeat(80)), List.of("$2b$12$" + "b".repeat(53)),
                "admin-ui.enabled", "true", "admin-ui.username", "admin");
        rule("admin-ui.namespace", List.of("admin"), List.of("/", "/admin2"));
        rule("admin-ui.server-id", List.of(" "), List.of("host-1"));
        rule("admin-ui.login.max-failures", List.of("0"), List.of("1"));
        rule("admin-ui.login.failure-window", List.of("0s"), List.of("1ms"));
        rule("admin-ui.login.threads", List.of("0"), List.of("1"));
        rule("admin-ui.login.queue-size", List.of(), List.of("0"));
        // the cluster
        // 0 runs no workers: the launched process serves the clients itself
        rule("cluster.workers", List.of("33"), List.of("0", "1", "32"), "cluster.max-workers", "32");
        rule("cluster.max-workers", List.of("0", "1"), List.of("2"), "cluster.workers", "2");
        rule("cluster.min-ready-workers", List.of("0", "9"), List.of("1", "8"), "cluster.max-workers", "8",
                "cluster.workers", "2");
        rule("cluster.node-id", List.of("a b", "a;b", "x".repeat(129)), List.of("node-1", "eu-west.host:7"));
        rule("cluster.max-restarts", List.of(), List.of("0"));
        rule("cluster.restart-delay", List.of("0s", "31s"), List.of("1ms", "30s"));
        rule("cluster.restart-delay-max", List.of("0s", "999ms"), List.of("1s"));
        rule("cluster.respawn-threshold", List.of("0"), List.of("1"));
        rule("cluster.respawn-threshold-time", List.of("0s"), List.of("1ms"));
        rule("cluster.shutdown-timeout", List.of("0s"), List.of("1ms"));
        rule("cluster.start-timeout", List.of("0s"), List.of("1ms"));
        rule("cluster.heartbeat-interval", List.of("0s", "5s"), List.of("1ms", "4999ms"));
        rule("cluster.heartbeat-timeout", List.of("0s", "1s"), List.of("1001ms", "45s"));
        rule("cluster.stall-timeout", List.of("0s", "4999ms"), List.of("5s"));
        rule("cluster.request-timeout", List.of("0s"), List.of("1ms"));
        rule("cluster.delayed-connection-timeout", List.of("0s"), List.of("1ms"));
        anyText("cluster.worker-jvm-options", "options of the worker's JVM, read by the JVM");
        rule("cluster.worker-aot-cache", List.of("no-such-worker.aot", " "), List.of("pom.xml"));
        rule("cluster.sticky.cookie-name", List.of("a b", "a;b", "a=b"), List.of("qsio", "node_id"));
        rule("cluster.sticky.cookie-path", List.of("custom", "/a;b", "/a\u0001b"), List.of("/", "/custom/path"));
        rule("cluster.control.token", List.of(" "), List.of("t0ken"), "cluster.control.enabled", "true");
        anyText("cluster.control.roles-allowed", "role names");
        // the engine
        rule("ping-interval", List.of("0s"), List.of("1ms"));
        rule("ping-timeout", List.of("0s"), List.of("1ms"));
        rule("upgrade-timeout", List.of("0s"), List.of("1ms"));
        rule("handshake-filter-timeout", List.of("0s"), List.of("1ms"));
        rule("max-http-buffer-size", List.of("0"), List.of("1"));
        rule("transports", List.of("carrier-pigeon", "polling,pigeon"), List.of("websocket", "polling"));
        // WebTransport's listener: checked when the transports list it (a certificate is then required)
        String[] wt = { "transports", "polling,webtransport", "webtransport.certificate-file", "pom.xml",
                "webtransport.key-file", "pom.xml" };
        rule("webtransport.port", List.of("65536"), List.of("0", "4433"), wt);
        anyText("webtransport.host", "an address to bind, as quarkus.http.host");
        rule("webtransport.certificate-file", List.of("no-such-cert.pem"), List.of("pom.xml"), "transports",
                "polling,webtransport", "webtransport.key-file", "pom.xml");
        rule("webtransport.key-file", List.of("no-such-key.pem"), List.of("pom.xml"), "transports",
                "polling,webtransport", "webtransport.certificate-file", "pom.xml");
        rule("webtransport.max-streams", List.of("0", "101"), List.of("1", "100"), wt);
        rule("webtransport.idle-timeout", List.of("0s"), List.of("1ms"), wt);
        rule("webtransport.socket-buffer", List.of("0", "63K", "2G"), List.of("64K", "4M", "1G"), wt);
        anyText("security.auth-token-field", "a field name of the handshake's auth object");
        rule("max-connections", List.of("0"), List.of("1"));
        rule("limits.handshakes-per-second-per-address", List.of(), List.of("0", "0.5"));
        rule("limits.handshake-burst-per-address", List.of("0"), List.of("1"));
        rule("limits.sessions-per-address", List.of(), List.of("0"));
        rule("limits.max-addresses", List.of("0"), List.of("1"));
        rule("limits.handshakes-per-second", List.of(), List.of("0", "0.5"));
        rule("limits.handshake-burst", List.of("0"), List.of("1"));
        rule("max-buffered-bytes", List.of("0"), List.of("1"));
        rule("polling-body-timeout", List.of("0s"), List.of("1ms"));
        rule("header-timeout", List.of(), List.of("0s", "1ms"));
        // how the heap gives memory back: percentages, the minimum not above the maximum
        rule("heap.max-free-percent", List.of("101"), List.of("0", "100"), "heap.min-free-percent", "0");
        rule("heap.min-free-percent", List.of("21"), List.of("0", "20"), "heap.max-free-percent", "20");
        rule("heap.periodic-collection", List.of(), List.of("0s", "1ms"));
        // the warm-up of the connection path: 0 sessions turns it off; its bound must be some time
        rule("warm-up.connections", List.of(), List.of("0", "1"));
        rule("warm-up.timeout", List.of("0s"), List.of("1ms"));
        rule("warm-up.passes", List.of("0", "21"), List.of("1", "20"));
        rule("warm-up.recovery-sessions", List.of(), List.of("0", "1"));
        rule("per-message-deflate.threshold", List.of(), List.of("0"));
        rule("http-compression.threshold", List.of(), List.of("0"));
        rule("drain-spread", List.of("30s"), List.of("0s", "29s"), "cluster.workers", "2");
        anyText("cors.origins", "origins as the browser sends them; '*' for any");
        rule("cors.max-age", List.of(), List.of("0s", "1s"));
        rule("cors.methods", List.of("GET POST", "GET;POST"), List.of("GET,POST", "PURGE"));
        rule("cors.allowed-headers", List.of("content type", "x:y"), List.of("content-type", "x-a,x-b"));
        rule("cors.exposed-headers", List.of("content type", "x:y"), List.of("x-request-id", "x-a,x-b"));
        rule("cors.preflight-status", List.of("199", "300", "404"), List.of("200", "204"));
        // the server
        rule("connect-timeout", List.of("0s"), List.of("1ms"));
        rule("ack-timeout", List.of("0s"), List.of("1ms"));
        rule("max-attachments", List.of(), List.of("0"));
        rule("max-namespaces-per-connection", List.of("0"), List.of("1"));
        rule("limits.sessions-per-identity", List.of("0"), List.of("1"));
        rule("limits.identity-lease", List.of("0s", "2999ms"), List.of("3s"));
        rule("inbound.events-per-second", List.of(), List.of("0", "0.5"));
        rule("inbound.event-burst", List.of("0"), List.of("1"));
        rule("inbound.bytes-per-second", List.of(), List.of("0"));
        rule("inbound.bytes-burst", List.of("0"), List.of("1"));
        rule("inbound.event.\"chat\".per-second", List.of("0"), List.of("0.5"));
        rule("inbound.event.\"chat\".burst", List.of("0"), List.of("1"), "inbound.event.\"chat\".per-second", "1");
        rule("inbound.cooldown", List.of("1s"), List.of("0s"));
        rule("inbound.cooldown", List.of(), List.of("0s", "1ms"), "inbound.exceeded", "disconnect");
        rule("slow-consumer.max-lag", List.of(), List.of("0s", "1ms"));
        rule("slow-consumer.lag-bytes", List.of(), List.of("0"));
        rule("slow-consumer.max-total-bytes", List.of("0"), List.of("1"));
        rule("slow-consumer.check-interval", List.of("0s", "9ms"), List.of("10ms"));
        rule("slow-consumer.namespace.\"/chat\".max-lag", List.of(), List.of("0s", "1ms"));
        rule("slow-consumer.namespace.\"/chat\".lag-bytes", List.of(), List.of("0"));
        rule("slow-consumer.dropped-event", List.of(" ", "disconnect", "connect_error"), List.of("dropped"));
        rule("connection-state-recovery.max-disconnection-duration", List.of("0s"), List.of("1ms"),
                "connection-state-recovery.enabled", "true");
        rule("connection-state-recovery.max-log-bytes", List.of("0"), List.of("1"),
                "connection-state-recovery.enabled", "true");
        // the wires: their own settings are checked whichever bus is chosen; a URL when the wire is used
        rule("postgres.datasource", List.of(" "), List.of("events"));
        rule("postgres.channel-prefix", List.of(" ", "a\u0001b"), List.of("x"));
        rule("postgres.table-name", List.of("a-b", "a.b.c", "1a"), List.of("t", "s.t"));
        rule("postgres.payload-threshold", List.of("0", "99", "8001"), List.of("100", "8000"));
        rule("postgres.cleanup-interval", List.of("0s"), List.of("1ms"));
        rule("postgres.heartbeat-interval", List.of("0s", "10s"), List.of("1ms", "9999ms"));
        rule("postgres.heartbeat-timeout", List.of("0s", "5s"), List.of("5001ms"));
        rule("postgres.recovery-table-prefix", List.of("a-b"), List.of("sio"));
        rule("postgres.reconnect-delay-max", List.of("0s"), List.of("1ms"));
        rule("redis.url", List.of("http://h:6379", "redis://", "not a url"), List.of("redis://h:1", "rediss://h"),
                "bus", "redis");
        rule("redis.streams.max-len", List.of("0"), List.of("1"));
        rule("redis.streams.session-key-prefix", List.of(" "), List.of("s:"));
        rule("redis.master-name", List.of(" "), List.of("m"));
        anyText("redis.password", "a password");
        rule("redis.database", List.of(), List.of("0", "15"));
        rule("redis.key", List.of(" "), List.of("k"));
        rule("redis.reconnect-delay-max", List.of("0s"), List.of("1ms"));
        anyText("redis.tls.trust-certificate-pem", "a file, read when Redis is used over TLS");
        // the build's settings
        rule("path", List.of("/a b/", "/x?y", " "), List.of("/", "/io/", "io"));
        rule("kubernetes.termination-grace-period", List.of("0s", "999ms"), List.of("1s"));
        rule("kubernetes.autoscaling.min-replicas", List.of("0", "11"), List.of("1", "10"));
        rule("kubernetes.autoscaling.max-replicas", List.of("0"), List.of("1"));
        rule("kubernetes.autoscaling.target-average-connections", List.of("0"), List.of("1"));
        rule("kubernetes.autoscaling.metric-name", List.of("a-b", "1x", " "), List.of("x_y:z"));
        rule("kubernetes.autoscaling.cpu-utilization", List.of("0", "101"), List.of("1", "100"));
    }

    /** Keys that contradict each other, each failing with a message naming the first. */
    static final List<List<String>> CONTRADICTIONS = List.of(
            List.of("redis.adapter", "streams", "redis.mode", "cluster"),
            List.of("redis.database", "1", "redis.mode", "cluster", "bus", "redis"),
            List.of("admin-ui.username", "", "admin-ui.enabled", "true"),
            List.of("admin-ui.password", "", "admin-ui.enabled", "true", "admin-ui.username", "admin"),
            List.of("cluster.control.token", "", "cluster.control.enabled", "true"),
            List.of("cluster.workers", "9", "cluster.max-workers", "8"),
            List.of("inbound.cooldown", "1s", "inbound.exceeded", "drop"),
            List.of("drain-spread", "30s", "cluster.workers", "2"),
            List.of("cluster.stall-timeout", "4s", "cluster.heartbeat-timeout", "5s"),
            List.of("heap.min-free-percent", "30", "heap.max-free-percent", "20"));

    static List<Key> keys;

    @BeforeAll
    static void readModel() throws IOException {
        keys = new ArrayList<>();
        String model = Files.readString(MODEL);
        for (String item : model.split("ConfigProperty>")) {
            Matcher property = Pattern.compile("\\n\\s+property: \"(.*)\"\\s*\\n").matcher(item);
            Matcher type = Pattern.compile("\\n\\s+type: \"([^\"]+)\"").matcher(item);
            Matcher phase = Pattern.compile("\\n\\s+phase: \"([^\"]+)\"").matcher(item);
            if (property.find() && type.find() && phase.find()) {
                String name = property.group(1).replace("\\\"event\\\"", "\"chat\"")
                        .replace("\\\"namespace\\\"", "\"/chat\"");
                keys.add(new Key(name, type.group(1), phase.group(1).startsWith("BUILD")));
            }
        }
        assertThat(keys).as("keys of %s", MODEL).hasSizeGreaterThan(100);
    }

    @Test
    void theDefaultsPass() {
        checkAll(config(Map.of()));
    }

    @Test
    void everyKeyRefusesTheValuesItsTypeRefuses() {
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Key key : keys) {
            Map<String, String> context = RULES.stream().filter(e -> e.getKey().equals(key.name()))
                    .map(e -> e.getValue().context()).findFirst().orElse(Map.of());
            for (String bad : byType(key)) {
                cases++;
                Map<String, String> props = new HashMap<>(context);
                props.put(key.name(), bad);
                refused(key.name(), props, failures);
            }
        }
        System.out.printf("SettingsTest: %d keys, %d values refused by their type%n", keys.size(), cases);
        assertThat(failures).as("bad values that passed or failed without naming their key (of %d)", cases).isEmpty();
        assertThat(cases).isGreaterThan(200);
    }

    @Test
    void everyKeySaysWhatItAcceptsAndRefusesItsOwnBadValues() {
        List<String> failures = new ArrayList<>();
        Set<String> unruled = new TreeSet<>();
        int cases = 0;
        for (Key key : keys) {
            List<Map.Entry<String, Rule>> rules = RULES.stream().filter(e -> e.getKey().equals(key.name()))
                    .toList();
            if (rules.isEmpty()) {
                if (needsRule(key)) {
                    unruled.add(key.name() + " (" + key.type() + ")");
                }
                continue;
            }
            for (Map.Entry<String, Rule> e : rules) {
                Rule rule = e.getValue();
                for (String bad : rule.bad()) {
                    cases++;
                    Map<String, String> props = new HashMap<>(rule.context());
                    props.put(key.name(), bad);
                    refused(key.name(), props, failures);
                }
                for (String good : rule.good()) {
                    cases++;
                    Map<String, String> props = new HashMap<>(rule.context());
                    props.put(key.name(), good);
                    try {
                        checkAll(config(props));
                    } catch (RuntimeException ex) {
                        failures.add(props + " was refused: " + messages(ex));
                    }
                }
            }
        }
        System.out.printf("SettingsTest: %d rules, %d values of their own%n", RULES.size(), cases);
        assertThat(unruled).as("keys without a rule in SettingsTest.RULES: say what each accepts").isEmpty();
        assertThat(failures).as("of %d cases", cases).isEmpty();
        assertThat(RULES.stream().map(Map.Entry::getKey).toList()).as("rules of keys that are not in the model")
                .allMatch(k -> keys.stream().anyMatch(key -> key.name().equals(k)));
    }

    @Test
    void contradictoryPairsAreRefused() {
        List<String> failures = new ArrayList<>();
        for (List<String> pair : CONTRADICTIONS) {
            Map<String, String> props = new HashMap<>();
            for (int i = 0; i < pair.size(); i += 2) {
                if (!pair.get(i + 1).isEmpty()) {
                    props.put("quarkus.socketio." + pair.get(i), pair.get(i + 1));
                }
            }
            refused("quarkus.socketio." + pair.get(0), props, failures);
        }
        assertThat(failures).isEmpty();
    }

    /** The values no key of this type accepts. */
    static List<String> byType(Key key) {
        String t = key.type();
        if (t.equals("java.time.Duration")) {
            return List.of("-1s", "PT0.0005S", "soon");
        }
        if (t.equals("int") || t.equals("java.util.OptionalInt") || t.equals("java.lang.Integer")) {
            return List.of("-1", "ten", "99999999999");
        }
        if (t.equals("long") || t.equals("java.lang.Long")) {
            return List.of("-1", "ten");
        }
        if (t.equals("double")) {
            return List.of("-1", "NaN", "Infinity", "ten");
        }
        if (t.equals("boolean") || t.equals("java.lang.Boolean")) {
            return List.of("maybe", "ture");
        }
        if (t.equals(MemorySize.class.getName())) {
            return List.of("lots");
        }
        if (t.startsWith("dev.qsio.")) {
            return List.of("nonsense");
        }
        return List.of();
    }

    /** Types whose every value is not told apart by the type alone. */
    static boolean needsRule(Key key) {
        String t = key.type();
        return !(t.equals("boolean") || t.equals("java.lang.Boolean") || t.startsWith("dev.qsio."));
    }

    static void refused(String key, Map<String, String> props, List<String> failures) {
        try {
            checkAll(config(props));
            failures.add(props + " passed");
        } catch (RuntimeException ex) {
            String message = messages(ex);
            if (!names(message, key)) {
                failures.add(props + " failed without naming " + key + ": " + message);
            }
        }
    }

    /** Whether a message names a key, with or without the quotes of a map's entry. */
    static boolean names(String message, String key) {
        return message.contains(key) || message.contains(key.replace("\"", ""));
    }

    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" / ");
        }
        return b.toString();
    }

    /** What startup checks, and what the build checks. */
    static void checkAll(SmallRyeConfig config) {
        Settings.check(config);
        Settings.checkBuildTime(config.getConfigMapping(SocketIoBuildTimeConfig.class),
                config.getConfigMapping(KubernetesConfig.class), config::getRawValue);
    }

    static SmallRyeConfig config(Map<String, String> props) {
        return new SmallRyeConfigBuilder()
                .withMapping(SocketIoRuntimeConfig.class)
                .withMapping(ClusterConfig.class)
                .withMapping(AdminUiConfig.class)
                .withMapping(RedisConfig.class)
                .withMapping(PostgresConfig.class)
                .withMapping(EmitterConfig.class)
                .withMapping(SocketIoBuildTimeConfig.class)
                .withMapping(KubernetesConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(props, "case", 500))
                .build();
    }
}
