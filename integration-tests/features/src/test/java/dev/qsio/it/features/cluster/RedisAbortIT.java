package dev.qsio.it.features.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RedisServer;
import dev.qsio.runtime.internals.FrameworkInternals;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * A Redis connection the server gives up on is reset, whatever close reaches it first. The server's channels abort
 * the connection and then close its client, on the connection's own event loop when the loss was noticed there. The
 * client's close is graceful: when it ran before the abort's, the socket was closed, not reset, and the kernel kept
 * retransmitting what it held for Redis; a link that healed then delivered those publications seconds late, after
 * newer ones (the fault campaign's seed 103: a host cut from Redis for 11 s, a socket in FIN-WAIT-1 with 116 KB unsent
 * until the healing). The test makes that order happen, with a frozen Redis (SIGSTOP) so that the kernel holds data.
 */
class RedisAbortIT {

    static final int SIZE = 10_000;
    static final int PUBLICATIONS = 50;

    @Test
    void aConnectionAbortedAndThenClosedByItsClientIsResetWithNothingLeftToSend() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RedisServer redis = RedisServer.start("abort")) {
            Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(redis.url()));
            Context context = vertx.getOrCreateContext();
            CompletableFuture<RedisConnection> connected = new CompletableFuture<>();
            context.runOnContext(v -> client.connect().onSuccess(connected::complete).onFailure(connected::completeExceptionally));
            RedisConnection connection = connected.get(10, TimeUnit.SECONDS);
            List<String> local = ClusterProcess.connectionsTo(ProcessHandle.current().pid(), redis.port());
            assertThat(local).as("this process's connection to Redis").hasSize(1);

            redis.pause();
            try {
                // what a few seconds of broadcasts make: less than the socket buffers of both ends take in, so that the
                // client's close finds nothing queued in Netty and closes the socket at once (with more, that close
                // waits for a flush a frozen Redis never allows, and the abort's close comes first anyway)
                Buffer payload = Buffer.buffer("x".repeat(SIZE));
                context.runOnContext(v -> {
                    for (int i = 0; i < PUBLICATIONS; i++) {
                        connection.send(Request.cmd(Command.PUBLISH).arg("stalled").arg(payload));
                    }
                });
                await().atMost(Duration.ofSeconds(10)).alias("the kernels hold every publication, some unsent")
                        .until(() -> unsent(local.get(0), redis.port()) > 0
                                && unsent(local.get(0), redis.port()) + unread(local.get(0), redis.port())
                                        >= (long) PUBLICATIONS * SIZE);

                // what the server's channels do when they give up: abort, then close the client, on the event loop
                CompletableFuture<Integer> aborted = new CompletableFuture<>();
                context.runOnContext(v -> {
                    aborted.complete(FrameworkInternals.abort(connection));
                    client.close();
                });
                assertThat(aborted.get(10, TimeUnit.SECONDS)).as("network connections aborted").isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).alias("the socket is reset, not closing with data to send: "
                        + sockets(local.get(0), redis.port())).until(() -> sockets(local.get(0), redis.port()).isEmpty());
            } finally {
                redis.resume();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The bytes the kernel holds unsent for the socket of that local address, in whatever state it is. */
    static long unsent(String local, int port) {
        return sockets(local, port).stream().mapToLong(s -> Long.parseLong(s.split(" ")[2])).sum();
    }

    /** The bytes Redis's side of the connection from that local address has received and Redis not read. */
    static long unread(String local, int port) {
        return ss("( sport = :" + port + " )").stream().filter(f -> address(f[4]).equals(local))
                .mapToLong(f -> Long.parseLong(f[1])).sum();
    }

    /**
     * The sockets of a local address to a port, in any state, owned by a process or by the kernel alone (a closed
     * socket with data to send is the kernel's): as {@code "STATE local unsent"}.
     */
    static List<String> sockets(String local, int port) {
        return ss("( dport = :" + port + " )").stream().filter(f -> address(f[3]).equals(local))
                .map(f -> f[0] + " " + address(f[3]) + " " + f[2]).toList();
    }

    /** A Java socket is dual-stack: ss shows an IPv4 address as mapped ({@code [::ffff:127.0.0.1]:port}). */
    static String address(String shown) {
        return shown.startsWith("[::ffff:") ? shown.substring(8).replace("]", "") : shown;
    }

    /** The TCP sockets of a filter, in any state: State, Recv-Q, Send-Q, Local:Port, Peer:Port. */
    static List<String[]> ss(String filter) {
        List<String[]> rows = new ArrayList<>();
        try {
            Process ss = new ProcessBuilder("ss", "-tanH", filter).redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(5, TimeUnit.SECONDS);
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5) {
                    rows.add(f);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("ss failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
