package dev.qsio.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.qsio.ClusterInfo;
import dev.qsio.runtime.admin.AdminUi;
import dev.qsio.runtime.cluster.ClusterSettings;
import dev.qsio.runtime.cluster.Roles;
import dev.qsio.runtime.config.AdminUiConfig;
import dev.qsio.runtime.config.Checks;
import dev.qsio.runtime.config.ClusterConfig;
import dev.qsio.runtime.config.KubernetesConfig;
import dev.qsio.runtime.config.SocketIoBuildTimeConfig;
import dev.qsio.runtime.config.SocketIoRuntimeConfig;
import dev.qsio.runtime.config.Values;
import dev.qsio.runtime.emitter.EmitterConfig;
import dev.qsio.runtime.engine.EngineOptions;
import dev.qsio.runtime.engine.SlowConsumers;
import dev.qsio.runtime.postgres.PostgresConfig;
import dev.qsio.runtime.postgres.PostgresSettings;
import dev.qsio.runtime.redis.RedisConfig;
import dev.qsio.runtime.redis.RedisWire;
import dev.qsio.runtime.server.ServerSettings;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.SmallRyeConfig;

/**
 * Every runtime setting of the extension checked in one place, before anything starts: a bad value fails startup with
 * a {@link ConfigurationException} naming its key. First each layer's rules for its own keys (whose messages say what
 * the key accepts) and the pairs that contradict each other, then the rules of each value's type for every key
 * ({@link Values}: no negative number or duration, no sub-millisecond timer, no boolean but true or false). What only a live resource can tell (a datasource that exists, a Redis that
 * answers) is checked where the resource is opened.
 * <p>
 * The same entry point serves the table-driven test of every key of the configuration model, which builds a
 * configuration per bad value and calls {@link #check(SmallRyeConfig)} without starting an application.
 */
public final class Settings {

    private static final Pattern PATH = Pattern.compile("/?[A-Za-z0-9._~/-]*");
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private Settings() {
    }

    /**
     * Checks the build-time settings (the path, what is served, the Kubernetes manifests): run by the build, which fails
     * with a message naming the key.
     */
    public static void checkBuildTime(SocketIoBuildTimeConfig build, KubernetesConfig kubernetes,
            Function<String, String> raw) {
        String path = build.path();
        if (path.isBlank() || !PATH.matcher(path.trim()).matches()) {
            throw new ConfigurationException("quarkus.socketio.path must be a URL path (letters, digits and -._~/), got '"
                    + path + "'", Set.of("quarkus.socketio.path"));
        }
        String k = "quarkus.socketio.kubernetes.";
        kubernetes.terminationGracePeriod().ifPresent(grace -> {
            if (grace.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new ConfigurationException(k + "termination-grace-period must be at least 1 s (Kubernetes counts "
                        + "whole seconds), got " + grace, Set.of(k + "termination-grace-period"));
            }
        });
        KubernetesConfig.Autoscaling a = kubernetes.autoscaling();
        Checks.within(k + "autoscaling.min-replicas", a.minReplicas(), 1, Integer.MAX_VALUE);
        if (a.maxReplicas() < a.minReplicas()) {
            throw new ConfigurationException(k + "autoscaling.max-replicas (" + a.maxReplicas() + ") must be at least "
                    + k + "autoscaling.min-replicas (" + a.minReplicas() + ")", Set.of(k + "autoscaling.max-replicas"));
        }
        Checks.within(k + "autoscaling.target-average-connections", a.targetAverageConnections(), 1, Long.MAX_VALUE);
        if (!METRIC.matcher(a.metricName()).matches()) {
            throw new ConfigurationException(k + "autoscaling.metric-name must be a Prometheus metric name ([a-zA-Z_:]"
                    + "[a-zA-Z0-9_:]*), got '" + a.metricName() + "'", Set.of(k + "autoscaling.metric-name"));
        }
        if (a.cpuUtilization().isPresent()) {
            Checks.within(k + "autoscaling.cpu-utilization", a.cpuUtilization().getAsInt(), 1, 100);
        }
        Values.check("quarkus.socketio", SocketIoBuildTimeConfig.class, build, raw);
        Values.check("quarkus.socketio.kubernetes", KubernetesConfig.class, kubernetes, raw);
    }

    /** Checks the runtime settings of {@code config} for the process role they give. */
    public static void check(SmallRyeConfig config) {
        ClusterInfo.Role role = Roles.decide(key -> config.getOptionalValue(key, String.class).orElse(null));
        SocketIoRuntimeConfig runtime = config.getConfigMapping(SocketIoRuntimeConfig.class);
        ClusterConfig cluster = config.getConfigMapping(ClusterConfig.class);
        AdminUiConfig admin = config.getConfigMapping(AdminUiConfig.class);
        RedisConfig redis = config.getConfigMapping(RedisConfig.class);
        PostgresConfig postgres = config.getConfigMapping(PostgresConfig.class);
        EmitterConfig emitter = config.getConfigMapping(EmitterConfig.class);
        Function<String, String> raw = config::getRawValue;
        EngineOptions.from(runtime);
        SlowConsumers.Options.from(runtime.slowConsumer(), Runtime.getRuntime().maxMemory());
        ServerSettings.check(runtime);
        Checks.within("quarkus.socketio.heap.max-free-percent", runtime.heap().maxFreePercent(), 0, 100);
        Checks.within("quarkus.socketio.heap.min-free-percent", runtime.heap().minFreePercent(), 0,
                runtime.heap().maxFreePercent());
        Checks.offOrPositive("quarkus.socketio.heap.periodic-collection", runtime.heap().periodicCollection());
        // warm-up.connections: any number from 0 (off), as Values.check has it for every number
        Checks.positive("quarkus.socketio.warm-up.timeout", runtime.warmUp().timeout());
        Checks.within("quarkus.socketio.warm-up.passes", runtime.warmUp().passes(), 1, 20);
        httpTokens("quarkus.socketio.cors.methods", runtime.cors().methods(), "method");
        runtime.cors().allowedHeaders().ifPresent(h -> httpTokens("quarkus.socketio.cors.allowed-headers", h, "header name"));
        runtime.cors().exposedHeaders().ifPresent(h -> httpTokens("quarkus.socketio.cors.exposed-headers", h, "header name"));
        ClusterSettings.check(cluster, runtime, role);
        AdminUi.checkSettings(admin);
        Optional<SocketIoRuntimeConfig.BusKind> emitterBus = emitter.bus();
        RedisWire.checkSettings(redis, runtime.bus() == SocketIoRuntimeConfig.BusKind.REDIS
                || emitterBus.filter(b -> b == SocketIoRuntimeConfig.BusKind.REDIS).isPresent());
        PostgresSettings.check(postgres);
        Values.check("quarkus.socketio", SocketIoRuntimeConfig.class, runtime, raw);
        Values.check("quarkus.socketio.cluster", ClusterConfig.class, cluster, raw);
        Values.check("quarkus.socketio.admin-ui", AdminUiConfig.class, admin, raw);
        Values.check("quarkus.socketio.redis", RedisConfig.class, redis, raw);
        Values.check("quarkus.socketio.postgres", PostgresConfig.class, postgres, raw);
        Values.check("quarkus.socketio.emitter", EmitterConfig.class, emitter, raw);
    }

    private static final java.util.regex.Pattern HTTP_TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /** A list of HTTP tokens (methods, header names), as a CORS answer carries them: at least one, each a token. */
    static void httpTokens(String key, java.util.List<String> values, String what) {
        if (values.isEmpty()) {
            throw new ConfigurationException(key + " must name at least one " + what, Set.of(key));
        }
        for (String v : values) {
            if (!HTTP_TOKEN.matcher(v.trim()).matches()) {
                throw new ConfigurationException(key + " must be a comma-separated list of HTTP " + what + "s, got '" + v
                        + "'", Set.of(key));
            }
        }
    }
}
