package dev.qsio.it.features.cluster;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.NodeRedisServer;
import dev.qsio.it.support.RedisServer;

/**
 * A Node socket.io 4.x server with {@code @socket.io/redis-adapter} 8.3 and a Quarkus cluster (2 workers) on one
 * Redis: {@link NodeInteropChecks} (broadcasts both ways, rooms, acknowledgements, {@code fetchSockets} and
 * {@code serverSideEmit} from each side, as during a migration from Node).
 */
class NodeInteropIT extends NodeInteropChecks {

    static RedisServer redis;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start("interop");
        quarkus = ClusterProcess.launch(JAR, 2, MultiHostIT.hostProperties("quarkus-host", redis), "interop");
        node = NodeRedisServer.start(redis.url());
        nodeUrl = node.url();
        quarkus.awaitReady(2);
        // two Quarkus workers and the Node server subscribe to the main namespace's requests
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.subscribers("socket.io-request#/#") == 3);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        quarkus.close();
        redis.close();
    }
}
