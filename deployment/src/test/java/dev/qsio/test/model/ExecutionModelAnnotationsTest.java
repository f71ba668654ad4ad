package dev.qsio.test.model;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIO;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.Context;

/**
 * {@code @Blocking} and {@code @NonBlocking} on handler methods: the application builds (Quarkus checks where these
 * annotations may appear) and each handler runs where it asked.
 */
class ExecutionModelAnnotationsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class));

    @SocketIO("/")
    public static class Handlers {

        @OnEvent("on-loop")
        @NonBlocking
        String onLoop() {
            return Context.isOnEventLoopThread() ? "event loop" : "worker";
        }

        @OnEvent("on-worker")
        @Blocking
        String onWorker() {
            return Context.isOnEventLoopThread() ? "event loop" : "worker";
        }
    }

    private static String poll(String sid) {
        return given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).get("/socket.io/")
                .then().statusCode(200).extract().asString();
    }

    private static void post(String sid, String body) {
        given().queryParam("EIO", "4").queryParam("transport", "polling").queryParam("sid", sid).body(body)
                .post("/socket.io/").then().statusCode(200);
    }

    @Test
    void eachHandlerRunsWhereItsAnnotationSays() {
        String open = given().queryParam("EIO", "4").queryParam("transport", "polling").get("/socket.io/")
                .then().statusCode(200).extract().asString();
        int i = open.indexOf("\"sid\":\"") + 7;
        String sid = open.substring(i, open.indexOf('"', i));
        post(sid, "40");
        assertThat(poll(sid)).startsWith("40{\"sid\":");
        post(sid, "421[\"on-loop\"]\u001e422[\"on-worker\"]");
        StringBuilder answers = new StringBuilder();
        Awaitility.await().until(() -> {
            answers.append(poll(sid));
            return answers.indexOf("431") >= 0 && answers.indexOf("432") >= 0;
        });
        assertThat(answers.toString()).contains("431[\"event loop\"]", "432[\"worker\"]");
    }
}
