package dev.qsio.test.model;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * {@code @Blocking}, {@code @NonBlocking} and {@code @RunOnVirtualThread} on handler methods: the application builds
 * (Quarkus checks where these annotations may appear) and each handler runs where it asked, one socket's events in
 * order whatever their models.
 */
class ExecutionModelAnnotationsTest {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Handlers.class));

    @SocketIo("/")
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

        // returning Uni, it would run on the event loop without the annotation
        @OnEvent("on-virtual-thread")
        @RunOnVirtualThread
        Uni<String> onVirtualThread() {
            return Uni.createFrom().item(where());
        }
    }

    /** Where the caller runs: a virtual thread (Java 21 and later), otherwise the event loop or a worker thread. */
    static String where() {
        try {
            if ((Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread())) {
                return "virtual thread";
            }
        } catch (ReflectiveOperationException e) {
            // Java 17: no virtual threads; Quarkus runs such methods on worker threads
        }
        return Context.isOnEventLoopThread() ? "event loop" : "worker";
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
        post(sid, "421[\"on-loop\"]\u001e422[\"on-worker\"]\u001e423[\"on-virtual-thread\"]\u001e424[\"on-loop\"]");
        StringBuilder answers = new StringBuilder();
        Awaitility.await().until(() -> {
            answers.append(poll(sid));
            return answers.indexOf("434") >= 0;
        });
        String virtual = Runtime.version().feature() >= 21 ? "virtual thread" : "worker";
        // in order: one socket's handlers run one after the other
        assertThat(answers.toString()).containsSubsequence("431[\"event loop\"]", "432[\"worker\"]",
                "433[\"" + virtual + "\"]", "434[\"event loop\"]");
    }
}
