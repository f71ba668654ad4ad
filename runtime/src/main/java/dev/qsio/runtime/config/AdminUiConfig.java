package dev.qsio.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.annotations.ConfigDocDefault;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The server side of the official Socket.IO Admin UI ({@code @socket.io/admin-ui}'s {@code instrument()}), and the UI
 * itself on the management interface.
 */
@ConfigMapping(prefix = "quarkus.socketio.admin-ui")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface AdminUiConfig {

    /**
     * Whether the admin namespace serves the Admin UI. Off, nothing of it is computed and its page answers 404.
     */
    @WithDefault("false")
    boolean enabled();

    /**
     * The user name the UI logs in with (basic authentication, as Node's {@code auth: {type: "basic"}}). Required
     * unless {@code roles-allowed} is set.
     */
    Optional<String> username();

    /**
     * The bcrypt hash of the password ({@code $2a$}, {@code $2b$} or {@code $2y$}, as Node's {@code bcryptjs} makes
     * them), never the password itself. Also the key that signs the session ids, so keep it as secret as a password.
     */
    Optional<String> password();

    /**
     * With Quarkus Security: the roles that may use the admin namespace, checked on the identity of the connection
     * (HTTP authentication at the handshake, or the CONNECT's token). Used instead of the user name and password.
     */
    Optional<List<String>> rolesAllowed();

    /**
     * The admin namespace, as Node's {@code namespaceName}: one the application declares no handlers for (startup fails
     * naming this key otherwise).
     */
    @WithDefault("/admin")
    String namespace();

    /** Whether the UI may only watch: the commands (emit, join, leave, disconnect) are not offered and not obeyed. */
    @WithDefault("false")
    boolean readOnly();

    /**
     * {@code development} sends the UI every socket, connection, room change and event (each one a broadcast to the
     * admin namespace, so it costs per event); {@code production} only the server statistics, every 2 seconds.
     */
    @ConfigDocDefault("development in dev and test mode, production in prod mode")
    Optional<Mode> mode();

    /**
     * How this server is named in the UI. By default the node id ({@code quarkus.socketio.cluster.node-id}, the host
     * name unless set), followed by {@code #} and the pid in a worker of a cluster, as Node's.
     */
    Optional<String> serverId();

    /** The limits on logins with the user name and password. */
    Login login();

    /** What the UI is sent, as Node's {@code mode}. */
    enum Mode {
        DEVELOPMENT,
        PRODUCTION
    }

    /**
     * The limits on logins with the user name and password: each one costs a bcrypt check, run on a thread of its own
     * rather than on the worker pool the application's blocking handlers share.
     */
    interface Login {

        /**
         * The failed logins an address may make within {@code failure-window}. Past them, its logins are refused at
         * once, without checking the password, until the window ends; a successful login does not count.
         */
        @WithDefault("5")
        int maxFailures();

        /** The window the failures of an address are counted in, from its first failure. */
        @WithDefault("1M")
        Duration failureWindow();

        /** The threads that check passwords (bcrypt), apart from the worker pool. */
        @WithDefault("1")
        int threads();

        /**
         * The logins that may wait for a thread. Past them, a login is refused at once as busy rather than queued.
         */
        @WithDefault("8")
        int queueSize();
    }
}
