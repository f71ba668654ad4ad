package dev.qsio.it.features.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.server.Namespace;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * 20,000 connect/disconnect cycles and a soak of idle connections leave nothing behind: no session, socket or room
 * is left, and the heap after a full GC is back near its baseline.
 */
@QuarkusTest
class ConnectionCyclesTest {

    @TestHTTPResource("/")
    URL root;

    @Inject
    Vertx vertx;

    @Inject
    EngineEndpoints engines;

    @Inject
    SocketIoServerImpl server;

    /** One Socket.IO connection: open, connect to "/", and (unless kept) close. */
    CompletableFuture<WebSocket> cycle(WebSocketClient client, boolean keep) {
        CompletableFuture<WebSocket> done = new CompletableFuture<>();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(root.getHost()).setPort(root.getPort())
                .setURI("/socket.io/?EIO=4&transport=websocket");
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                done.completeExceptionally(ar.cause());
                return;
            }
            WebSocket ws = ar.result();
            ws.textMessageHandler(text -> {
                if (text.startsWith("40{")) {
                    done.complete(ws);
                    if (!keep) {
                        ws.close();
                    }
                } else if (text.equals("2")) {
                    ws.writeTextMessage("3");
                }
            });
            ws.exceptionHandler(done::completeExceptionally);
            ws.closeHandler(v -> done.completeExceptionally(new IllegalStateException("closed before connecting")));
            // the CONNECT goes out once the handler is in place: the open packet may arrive before it and is not
            // needed (a client may send as soon as the WebSocket is open)
            ws.writeTextMessage("40");
        });
        return done;
    }

    void cycles(WebSocketClient client, int n) throws Exception {
        int parallel = 64;
        for (int done = 0; done < n; done += parallel) {
            List<CompletableFuture<WebSocket>> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(parallel, n - done); i++) {
                batch.add(cycle(client, false));
            }
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
    }

    void awaitNothingLeft() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(engines.servers().stream().mapToInt(s -> s.sessions().size()).sum()).isZero();
            for (Namespace ns : server.namespaces()) {
                assertThat(ns.localSockets()).as(ns.name()).isEmpty();
                assertThat(ns.rooms()).as("rooms of " + ns.name()).isEmpty();
            }
        });
    }

    static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            // a pause between collection requests lets concurrent GC work finish; the minimum of five is kept
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void twentyThousandCyclesAndAnIdleSoakLeaveNothingBehind() throws Exception {
        WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions().setMaxConnections(2000));
        try {
            cycles(client, 2000);
            awaitNothingLeft();
            long baseline = heapAfterGc();

            long start = System.nanoTime();
            cycles(client, 20_000);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            awaitNothingLeft();
            long afterCycles = heapAfterGc();

            // a soak: 1,000 idle connections through several heartbeats (ping interval 2 s here), then closed
            List<CompletableFuture<WebSocket>> idle = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                idle.add(cycle(client, true));
            }
            CompletableFuture.allOf(idle.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(engines.servers().stream().mapToInt(s -> s.sessions().size()).sum()).isEqualTo(1000);
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() > until);
            assertThat(engines.servers().stream().mapToInt(s -> s.sessions().size()).sum()).as("idle sessions alive")
                    .isEqualTo(1000);
            for (CompletableFuture<WebSocket> ws : idle) {
                ws.get().close();
            }
            awaitNothingLeft();
            long afterSoak = heapAfterGc();

            System.out.printf("[memory] baseline %d KB, after 20,000 cycles (%d s) %d KB, after the idle soak %d KB%n",
                    baseline / 1024, seconds, afterCycles / 1024, afterSoak / 1024);
            assertThat(afterCycles - baseline).as("heap growth after 20,000 cycles").isLessThan(16L * 1024 * 1024);
            assertThat(afterSoak - baseline).as("heap growth after the soak").isLessThan(16L * 1024 * 1024);
        } finally {
            client.close();
        }
    }
}
