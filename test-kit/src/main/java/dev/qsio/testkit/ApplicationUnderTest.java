package dev.qsio.testkit;

import java.net.URI;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** Where the application under test serves Socket.IO, from the test's configuration. */
final class ApplicationUnderTest {

    private ApplicationUnderTest() {
    }

    /** The scheme, host and port of {@code test.url}. */
    static URI server() {
        URI test = URI.create(config().getOptionalValue("test.url", String.class).orElseThrow(() -> new IllegalStateException(
                "test.url is not set: SocketIoConnector.create() connects to the application of a Quarkus test; "
                        + "use SocketIoConnector.to(uri) for another server")));
        return URI.create(test.getScheme() + "://" + test.getRawAuthority());
    }

    /** {@code quarkus.socketio.path} under {@code quarkus.http.root-path}. */
    static String enginePath() {
        Config config = config();
        String root = slashes(config.getOptionalValue("quarkus.http.root-path", String.class).orElse("/"));
        String engine = slashes(config.getOptionalValue("quarkus.socketio.path", String.class).orElse("/socket.io/"));
        return root + engine.substring(1);
    }

    private static Config config() {
        return ConfigProvider.getConfig();
    }

    private static String slashes(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return p.endsWith("/") ? p : p + "/";
    }
}
