package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A polling POST for a session owned by another server waits, paused, for the owner's answer before its body is read.
 * A request that ended meanwhile (resumed and drained with no one reading it) has no body left to read: reading it is
 * a broken body for that request alone, not an exception thrown on the event loop. The deploy campaign's 5,000 clients
 * met it when a host stopped: "Request has already been read", logged at ERROR by the servers of the herd.
 */
class BodyOfAnEndedRequestTest {

    Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void theBodyOfARequestThatEndedWhileItWaitedIsBroken() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        vertx.exceptionHandler(uncaught::add);
        CompletableFuture<HttpServerRequest> waiting = new CompletableFuture<>();
        CompletableFuture<Context> itsContext = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            request.pause();
            itsContext.complete(Vertx.currentContext());
            waiting.complete(request);
        });
        int port = server.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        try (Socket client = new Socket("127.0.0.1", port)) {
            OutputStream out = client.getOutputStream();
            out.write(("POST /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 6\r\n\r\n4hello").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            HttpServerRequest request = waiting.get(10, TimeUnit.SECONDS);
            Context context = itsContext.get(10, TimeUnit.SECONDS);
            // resumed while it waited, with no one to read it: its body goes, and it ends
            context.runOnContext(v -> request.resume());
            await().atMost(Duration.ofSeconds(10)).until(request::isEnded);
            // then the owner's answer comes, and the body is read, on the request's context
            List<Object> outcome = new CopyOnWriteArrayList<>();
            context.runOnContext(v -> RequestBody.read(vertx, request, 1000, 5000, outcome::add, outcome::add));
            await().atMost(Duration.ofSeconds(10)).until(() -> !outcome.isEmpty() || !uncaught.isEmpty());
            assertThat(uncaught).as("thrown on the event loop").isEmpty();
            assertThat(outcome).containsExactly(RequestBody.Failure.BROKEN);
        }
    }
}
