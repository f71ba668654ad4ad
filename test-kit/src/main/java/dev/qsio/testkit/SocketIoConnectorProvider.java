package dev.qsio.testkit;

import java.lang.reflect.Field;
import java.net.URI;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.common.http.TestHTTPResourceProvider;

/**
 * Lets tests declare {@code @TestHTTPResource("/chat") SocketIoConnector chat;}: a connector to that namespace of the
 * application under test, on its test port. The annotation's value is the namespace; the Engine.IO path comes from
 * the application's {@code quarkus.http.root-path} and {@code quarkus.socketio.path}, which the test URL already
 * starts with.
 */
public class SocketIoConnectorProvider implements TestHTTPResourceProvider<SocketIoConnector> {

    @Override
    public Class<SocketIoConnector> getProvidedType() {
        return SocketIoConnector.class;
    }

    @Override
    public SocketIoConnector provide(String uri, Field field) {
        Config config = ConfigProvider.getConfig();
        String root = slashes(config.getOptionalValue("quarkus.http.root-path", String.class).orElse("/"));
        String engine = slashes(config.getOptionalValue("quarkus.socketio.path", String.class).orElse("/socket.io/"));
        URI parsed = URI.create(uri);
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        String namespace = path.startsWith(root) ? path.substring(root.length() - 1) : path;
        return SocketIoConnector.to(parsed).namespace(namespace.isEmpty() ? "/" : namespace)
                .path(root + engine.substring(1));
    }

    private static String slashes(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return p.endsWith("/") ? p : p + "/";
    }
}
