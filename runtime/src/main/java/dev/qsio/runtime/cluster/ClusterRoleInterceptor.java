package dev.qsio.runtime.cluster;

import java.util.Map;

import jakarta.annotation.Priority;

import dev.qsio.ClusterInfo.Role;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Adjusts the HTTP configuration to the process's role. The primary opens no HTTP server of Quarkus: it holds the
 * application's port itself and passes each connection to a worker ({@code Acceptor}). Workers listen on loopback
 * ports the kernel picks as they bind (port 0), which nothing connects to: their servers take the connections the
 * primary hands them ({@code ClusterBus} finds them by their actual ports). They serve their management interface on
 * such a port too, since the primary owns the public one. Both need Netty's native transport (connections are passed
 * between processes as file descriptors).
 * <p>
 * Picking a free port first and binding it later would race: anything on the host (an outgoing connection's ephemeral
 * port, another server picking the same way) could take it in between, and the worker would fail to start.
 */
@Priority(Integer.MAX_VALUE - 10)
public class ClusterRoleInterceptor implements ConfigSourceInterceptor {

    private static final Map<String, String> PRIMARY = Map.of(
            "quarkus.http.host-enabled", "false",
            "quarkus.vertx.prefer-native-transport", "true");

    private static final Map<String, String> WORKER = Map.of(
            "quarkus.http.host", "127.0.0.1",
            "quarkus.http.port", "0",
            "quarkus.http.ssl-port", "0",
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
