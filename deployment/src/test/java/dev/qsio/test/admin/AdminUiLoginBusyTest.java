package dev.qsio.test.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.qsio.runtime.admin.AdminLoginFigure;
import dev.qsio.runtime.admin.AdminUi;
import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The passwords are checked on one thread with no queue here, and a check takes a second or more (bcrypt at cost
 * 14): of logins sent together, those that find the thread taken are refused at once as busy.
 */
class AdminUiLoginBusyTest {

    static final String SLOW_HASH = BCrypt.withDefaults().hashToString(14, "s3cret".toCharArray());

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Chat.class))
            .overrideConfigKey("quarkus.http.proxy.proxy-address-forwarding", "true")
            .overrideConfigKey("quarkus.http.proxy.allow-x-forwarded", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.enabled", "true")
            .overrideConfigKey("quarkus.socketio.admin-ui.username", "admin")
            .overrideConfigKey("quarkus.socketio.admin-ui.password", SLOW_HASH)
            .overrideConfigKey("quarkus.socketio.admin-ui.login.threads", "1")
            .overrideConfigKey("quarkus.socketio.admin-ui.login.queue-size", "0");

    @Test
    void loginsBeyondTheQueueAreRefusedAsBusy() {
        List<CompletableFuture<String>> outcomes = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            outcomes.add(SocketIoConnector.create().namespace("/admin").transports(Transport.WEBSOCKET)
                    .header("x-forwarded-for", "203.0.113." + i)
                    .auth(Map.of("username", "admin", "password", "wrong")).connect().toCompletableFuture()
                    .handle((client, failure) -> {
                        if (client != null) {
                            client.close();
                            return "accepted";
                        }
                        Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
                        return cause instanceof ConnectErrorException e ? e.getMessage() : cause.toString();
                    }));
        }
        List<String> messages = outcomes.stream().map(f -> f.orTimeout(60, TimeUnit.SECONDS).join()).toList();
        assertThat(messages).allMatch(m -> m.equals("invalid credentials")
                || m.equals("too many logins under way, retry later"), "each refused, as invalid or busy");
        assertThat(messages).contains("invalid credentials", "too many logins under way, retry later");
        long busy = messages.stream().filter(m -> m.startsWith("too many logins")).count();
        assertThat(Arc.container().instance(AdminUi.class).get().loginFigures().get(AdminLoginFigure.REFUSED_BUSY))
                .isEqualTo(busy);
    }
}
