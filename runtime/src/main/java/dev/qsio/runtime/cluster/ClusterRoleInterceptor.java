package dev.qsio.runtime.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import jakarta.annotation.Priority;

import dev.qsio.ClusterInfo.Role;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Adjusts the HTTP configuration to the process's role. The primary opens no HTTP server of Quarkus: it holds the
 * application's port itself and passes each connection to a worker ({@code Acceptor}). Workers listen on private
 * loopback ports, which nothing connects to: their servers take the connections the primary hands them. They serve
 * their management interface on a private loopback port too, since the primary owns the public one. Both need Netty's
 * native transport (connections are passed between processes as file descriptors).
 */
@Priority(Integer.MAX_VALUE - 10)
public class ClusterRoleInterceptor implements ConfigSourceInterceptor {

    private static final Map<String, String> PRIMARY = Map.of(
            "quarkus.http.host-enabled", "false",
            "quarkus.vertx.prefer-native-transport", "true");

    /** The ports of a worker's private listeners, chosen by its primary (see {@code Primary.privatePorts}). */
    static final String ENV_HTTP_PORT = "QSIO_HTTP_PORT";
    static final String ENV_HTTPS_PORT = "QSIO_HTTPS_PORT";

    private volatile Role role;
    private volatile Map<String, String> worker;

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
            case WORKER -> worker();
            case SINGLE -> Map.of();
        };
        String value = overrides.get(name);
        if (value == null) {
            return context.proceed(name);
        }
        return ConfigValue.builder().withName(name).withValue(value).withConfigSourceName("quarkus-socketio cluster role")
                .build();
    }

    private Map<String, String> worker() {
        Map<String, String> w = worker;
        if (w == null) {
            synchronized (this) {
                if (worker == null) {
                    worker = Map.of(
                            "quarkus.http.host", "127.0.0.1",
                            "quarkus.http.port", port(ENV_HTTP_PORT),
                            "quarkus.http.ssl-port", port(ENV_HTTPS_PORT),
                            "quarkus.vertx.prefer-native-transport", "true",
                            "quarkus.management.port", "0",
                            "quarkus.management.host", "127.0.0.1");
                }
                w = worker;
            }
        }
        return w;
    }

    private static String port(String env) {
        String p = System.getenv(env);
        return p != null ? p : String.valueOf(freeLoopbackPort());
    }

    /**
     * A loopback port free now, for a worker's private listener. The listener binds it moments later; another
     * listener taking it meanwhile makes the worker fail to start, and the primary starts it again.
     */
    static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for the worker's listener", e);
        }
    }
}
