package dev.qsio.runtime.redis;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import dev.qsio.runtime.bus.BrokerLink;
import dev.qsio.runtime.bus.BusChannelsBase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * What both kinds of {@link RedisChannels} share: the publishing connection and its commands, and what they say as
 * their {@link BrokerLink} comes up, goes down or cannot be reached. Each kind connects and subscribes its own way.
 */
abstract class RedisChannelsBase extends BusChannelsBase implements RedisChannels {

    private static final Logger LOG = Logger.getLogger(RedisChannels.class);

    /** What this kind connects to, for logs: "Redis", "the Redis Cluster". */
    private final String what;
    /** The publishing connection (and the one commands go on, in order with the publications). */
    protected volatile RedisConnection pub;

    /**
     * Where every write to the publishing connection is made, one after the other, in the order the writes were
     * asked for (see {@link #inOrder}).
     */
    private final Context writes;
    private final Queue<Runnable> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    RedisChannelsBase(String what, Vertx vertx) {
        this.what = what;
        this.writes = vertx.getOrCreateContext();
    }

    /**
     * Sends a request on the publishing connection after every request asked for before it, from whatever thread.
     * The Redis client writes at once when called on its connection's event loop and queues a task there when called
     * from another thread, so a request made on the loop would overtake one asked for just before from elsewhere (a
     * live broadcast delivered on the bus's loop ahead of a recovered socket's catch-up, for a session relayed through
     * another server): every request waits in one queue, emptied on one context.
     */
    private Future<Response> inOrder(RedisConnection p, Request request) {
        Promise<Response> sent = Promise.promise();
        outbox.add(() -> p.send(request).onComplete(sent));
        // never sent at once, even on that context: code running on a worker thread (executeBlocking) has it as its
        // context too, and two threads sending would each be ordered differently by the client
        if (drainScheduled.compareAndSet(false, true)) {
            writes.runOnContext(v -> {
                drainScheduled.set(false);
                drain();
            });
        }
        return sent.future();
    }

    /** Sends what waits, in order; in tasks of {@link #writes} only, so always from the same thread. */
    private void drain() {
        for (Runnable send; (send = outbox.poll()) != null;) {
            send.run();
        }
    }

    /** The context the publishing connection's writes are made on (the kinds run their own work there too). */
    protected Context writes() {
        return writes;
    }

    /** Sends a request after the publications and commands asked for before it (a PING before closing). */
    protected Future<Response> afterWhatWasSent(RedisConnection p, Request request) {
        return inOrder(p, request);
    }

    /** The command that publishes: PUBLISH, or SPUBLISH for sharded channels. */
    protected abstract Command publishCommand();

    /** The channels are up (again): logs it, resets the wait, tells the listeners. */
    protected void wentUp(String detail) {
        boolean wasDown = link.outages() > 0;
        link.wentUp(() -> {
            if (wasDown) {
                LOG.infof("Socket.IO bus: connected to %s again at %s", what, displayUrl());
            } else {
                LOG.debugf("Socket.IO bus: connected to %s at %s%s", what, displayUrl(), detail);
            }
        });
    }

    /**
     * The channels are down (or could not come up): logs it once per outage, tells the listeners, and says how long
     * to wait before the next attempt (doubling up to {@code maxDelayMs}).
     */
    protected long wentDown(String reason, long maxDelayMs) {
        link.attemptOver();
        boolean wasUp = link.wentDown(reason, () -> LOG.warnf("Socket.IO bus: lost %s at %s (%s); clients of this "
                + "server are still served, other servers are out of reach until it is back", what, displayUrl(), reason));
        if (!wasUp) {
            link.unreachableAtFirst(() -> LOG.warnf("Socket.IO bus: cannot reach %s at %s (%s); retrying", what,
                    displayUrl(), reason));
        }
        return link.nextDelay(maxDelayMs);
    }

    /**
     * An attempt failed: the start's future (the first attempt's) fails with it; a misconfiguration, which no retry
     * mends, closes the channels and says so (true).
     */
    protected boolean failed(Throwable e, Promise<Void> first) {
        link.error(e.getMessage());
        if (first != null) {
            first.tryFail(e);
        }
        if (e instanceof RedisMisconfiguration) {
            if (first == null) {
                // at startup, the failure is the application's (it names the key); later, only the log can say it
                LOG.error("Socket.IO bus: " + e.getMessage());
            }
            close();
            return true;
        }
        return false;
    }

    @Override
    public void publish(String channel, Buffer payload) {
        RedisConnection p = pub;
        if (!link.isUp() || p == null) {
            link.drop(1);
            return;
        }
        inOrder(p, Request.cmd(publishCommand()).arg(channel).arg(payload)).onFailure(e -> link.drop(1));
    }

    @Override
    public Future<Response> command(Request request) {
        RedisConnection p = pub;
        if (!link.isUp() || p == null) {
            return Future.failedFuture(whyDown());
        }
        return inOrder(p, request);
    }

    /** Why a command cannot be sent now: the bus is down, and the last error. */
    protected String whyDown() {
        String lastError = link.lastError();
        return "the Redis bus is down" + (lastError == null ? "" : ": " + lastError);
    }
}
