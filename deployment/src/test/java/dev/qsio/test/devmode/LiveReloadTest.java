package dev.qsio.test.devmode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusDevModeTest;
import io.restassured.RestAssured;

/**
 * Live reload in dev mode with a real client that talks only over WebSocket: a message after a change triggers the
 * reload, the client is disconnected cleanly and reconnects by itself to the new code.
 */
class LiveReloadTest {

    @RegisterExtension
    static final QuarkusDevModeTest test = new QuarkusDevModeTest()
            .withApplicationRoot(root -> root.addClasses(Greeter.class, RoomGreeter.class));

    static Object awaitAnswer(DevClient client, String event, Object expected, Object... args) {
        Object[] last = new Object[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> expected.equals(last[0] = client.ask(event, args)));
        return last[0];
    }

    @Test
    void editsTakeEffectOverWebSocketAndClientsReconnect() throws Exception {
        try (DevClient client = new DevClient("/")) {
            int[] connects = { 0 };
            client.socket.on("connect", a -> connects[0]++);
            awaitAnswer(client, "greet", "hello v1");

            // editing a handler
            test.modifySourceFile(Greeter.class, s -> s.replace("hello v1", "hello v2"));
            awaitAnswer(client, "greet", "hello v2");
            assertThat(connects[0]).as("the client reconnected after the reload").isGreaterThanOrEqualTo(1);

            // adding an @OnEvent method and an @OnBroadcast method
            test.modifySourceFile(Greeter.class, s -> s
                    .replace("import dev.qsio.OnEvent;", """
                            import dev.qsio.OnBroadcast;
                            import dev.qsio.OnEvent;
                            import dev.qsio.SocketIoServer;
                            import jakarta.inject.Inject;
                            import java.util.List;
                            import java.util.concurrent.CopyOnWriteArrayList;""")
                    .replace("public class Greeter {", """
                            public class Greeter {

                                @Inject
                                SocketIoServer io;

                                final List<String> heard = new CopyOnWriteArrayList<>();

                                @OnEvent("added")
                                String added() {
                                    return "new handler";
                                }

                                @OnEvent("shout")
                                void shout(String text) {
                                    io.emit("ping", text);
                                }

                                @OnBroadcast("ping")
                                void heard(String text) {
                                    heard.add(text);
                                }

                                @OnEvent("heard")
                                String heardSoFar() {
                                    return String.join(",", heard);
                                }
                            """));
            awaitAnswer(client, "added", "new handler");
            client.ask("shout", "one");
            awaitAnswer(client, "heard", "one");
        }
    }

    @Test
    void changingTheNamespaceTakesEffect() {
        try (DevClient a = new DevClient("/room-a")) {
            CompletableFuture<Object> welcome = new CompletableFuture<>();
            a.socket.on("welcome", args -> welcome.complete(args[0]));
            assertThat(welcome.get(30, TimeUnit.SECONDS)).isEqualTo("/room-a");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        test.modifySourceFile(RoomGreeter.class, s -> s.replace("@SocketIo(\"/room-a\")", "@SocketIo(\"/room-b\")"));
        // an HTTP request triggers the reload
        RestAssured.given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/");
        try (DevClient b = new DevClient("/room-b")) {
            CompletableFuture<Object> welcome = new CompletableFuture<>();
            b.socket.on("welcome", args -> welcome.complete(args[0]));
            assertThat(welcome.get(30, TimeUnit.SECONDS)).isEqualTo("/room-b");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aValidationErrorShowsOnTheErrorPageAndFixingItRecovers() {
        test.modifySourceFile(Greeter.class, s -> s.replace("String greet() {", "static String greet() {"));
        RestAssured.given().get("/socket.io/?EIO=4&transport=polling").then().statusCode(500)
                .body(containsString("Greeter#greet()"), containsString("it is static"));
        test.modifySourceFile(Greeter.class, s -> s.replace("static String greet() {", "String greet() {"));
        RestAssured.given().get("/socket.io/?EIO=4&transport=polling").then().statusCode(200);
        try (DevClient client = new DevClient("/")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> String.valueOf(client.ask("greet")).startsWith("hello v"));
        }
    }
}
