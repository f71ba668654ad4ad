package dev.qsio.runtime.redis;

import dev.qsio.runtime.clusteradapter.ClusterHub;
import dev.qsio.runtime.bus.Bus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * How the Redis wires follow the servers of the fleet: the server count is refreshed every second, when Redis is back,
 * and when the Redis bus says that a server joined or left; a server that left ends the requests that waited for it.
 */
final class RedisMembers {

    private RedisMembers() {
    }

    static void follow(Vertx vertx, RedisBus bus, ClusterHub hub, Runnable refreshServerCount) {
        vertx.setPeriodic(1000, t -> refreshServerCount.run());
        bus.channels().onUp(refreshServerCount);
        bus.listen(Bus.Channel.ADAPTER, new Bus.Listener() {
            @Override
            public void onMessage(String from, Buffer payload) {
                // adapter messages travel on the wire's own channels, not on the bus
            }

            @Override
            public void onMemberJoined(String member) {
                refreshServerCount.run();
            }

            @Override
            public void onMemberLeft(String member) {
                refreshServerCount.run();
                hub.onMemberLeft(member);
            }
        });
    }
}
