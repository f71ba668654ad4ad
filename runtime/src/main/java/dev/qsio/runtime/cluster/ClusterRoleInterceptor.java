package dev.qsio.runtime.cluster;

import java.util.Map;

import jakarta.annotation.Priority;

import dev.qsio.ClusterInfo.Role;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Adjusts the HTTP configuration to the process's role: the primary opens no application listener; workers share
 * the port with SO_REUSEPORT (which needs Netty's native transport) and serve their management interface on a
 * private loopback port, since the primary owns the public one.
 */
@Priority(Integer.MAX_VALUE - 10)
public class ClusterRoleInterceptor implements ConfigSourceInterceptor {

    private static final Map<String, String> PRIMARY = Map.of(
            "quarkus.http.host-enabled", "false",
            "quarkus.vertx.prefer-native-transport", "true");

    private static final Map<String, String> WORKER = Map.of(
            "quarkus.http.so-reuse-port", "true",
            "quarkus.vertx.prefer-native-transport", "true",
            "quarkus.management.port", "0",
            "quarkus.management.host", "127.0.0.1");

    private volatile Role role;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!name.startsWith("quarkus.http.") && !name.startsWith("quarkus.vertx.") && !name.startsWith("quarkus.management.")) {
            return context.proceed(name);
        }
        Role r = role;
        if (r == null) {
            r = role = Roles.decide(key -> {
                ConfigValue v = context.proceed(key);
                return v == null ? null : v.getValue();
            });
        }
        Map<String, String> overrides = switch (r) {
            case PRIMARY -> PRIMARY;
            case WORKER -> WORKER;
            case SINGLE -> Map.of();
        };
        String value = overrides.get(name);
        if (value == null) {
            return context.proceed(name);
        }
        return ConfigValue.builder().withName(name).withValue(value).withConfigSourceName("quarkus-socketio cluster role")
                .build();
    }
}
