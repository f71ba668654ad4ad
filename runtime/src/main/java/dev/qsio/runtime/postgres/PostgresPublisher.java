package dev.qsio.runtime.postgres;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import org.jboss.logging.Logger;

import dev.qsio.runtime.bus.BrokerLink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * What {@link PostgresChannels} publish, in this server's order: notifications wait in a bounded queue and go out one
 * batch at a time, a batch being what was queued while the previous one was in flight, in one statement (one
 * transaction, so one commit for many notifications). A payload that does not fit in a notification is written to the
 * attachments table, and a broadcast of connection state recovery to the log, in the transaction that notifies it.
 * While the link is down nothing is published: what would have been is dropped and counted.
 */
final class PostgresPublisher {

    /** The channels' logger: what publishing says is the channels' to say. */
    private static final Logger LOG = Logger.getLogger(PostgresChannels.class);
    /** The most notifications, and about the most bytes, one batch carries. */
    private static final int BATCH_COUNT = 512;
    private static final int BATCH_BYTES = 1 << 20;
    /**
     * The most notifications, and bytes, waiting to be published (as Redis' publishing connection waits for 100,000
     * replies at most): beyond them a PostgreSQL that stalls, or publishes slower than this server sends, would grow
     * the heap without end, so what comes meanwhile is dropped and counted.
     */
    static final int MAX_QUEUED = 100_000;
    static final long MAX_QUEUED_BYTES = 64L << 20;
    private static final String NOTIFY_BATCH = "SELECT count(pg_notify(c, p)) FROM unnest($1::text[], $2::text[]) AS t(c, p)";

    /** A notification to send, with what must be written in the same transaction. */
    record Outgoing(String channel, String text, byte[] attachment, LongFunction<String> header,
            PostgresChannels.LogEntry log) {

        int size() {
            return (text == null ? 0 : text.length()) + (attachment == null ? 0 : attachment.length);
        }
    }

    private final Context context;
    private final Pool pool;
    private final PostgresChannels.Setup setup;
    /** The channels' link: nothing is published while it is down, and what is dropped is counted there. */
    private final BrokerLink link;
    private final ArrayDeque<Outgoing> outgoing = new ArrayDeque<>();
    /** The bytes of {@link #outgoing}. */
    private long outgoingBytes;
    private boolean publishing;
    /** Who waits for the queue to be published ({@link #flushed()}), on {@link #context}. */
    private final List<Promise<Void>> flushWaiters = new ArrayList<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();

    PostgresPublisher(Context context, PostgresChannels.Setup setup, BrokerLink link) {
        this.context = context;
        this.pool = setup.pool();
        this.setup = setup;
        this.link = link;
    }

    /** Queues a notification; dropped (and counted) while the link is down or the queue is full. */
    void send(Outgoing o) {
        if (!link.isUp()) {
            link.drop(1);
            return;
        }
        context.runOnContext(v -> {
            if (outgoing.size() >= MAX_QUEUED || outgoingBytes + o.size() > MAX_QUEUED_BYTES) {
                long dropped = link.drop(1);
                if ((dropped - 1) % 10_000 == 0) {
                    LOG.warnf("Socket.IO bus: PostgreSQL at %s publishes slower than this server sends: %d "
                            + "notifications (%d bytes) wait, what comes meanwhile is dropped (%d so far)",
                            setup.displayUrl(), outgoing.size(), outgoingBytes, dropped);
                }
                return;
            }
            outgoing.add(o);
            outgoingBytes += o.size();
            flush();
        });
    }

    /**
     * Completes once every notification queued before the call has been published or dropped (the transactions that
     * carry the broadcast log's entries have committed or failed).
     */
    Future<Void> flushed() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            flushWaiters.add(done);
            flush();
        });
        return done.future();
    }

    private void flush() {
        if (publishing) {
            return;
        }
        if (outgoing.isEmpty()) {
            flushWaiters.forEach(Promise::tryComplete);
            flushWaiters.clear();
            return;
        }
        if (!link.isUp()) {
            link.drop(outgoing.size());
            outgoing.clear();
            outgoingBytes = 0;
            flushWaiters.forEach(Promise::tryComplete);
            flushWaiters.clear();
            return;
        }
        List<Outgoing> batch = new ArrayList<>();
        int bytes = 0;
        while (!outgoing.isEmpty() && batch.size() < BATCH_COUNT && (batch.isEmpty() || bytes < BATCH_BYTES)) {
            Outgoing o = outgoing.poll();
            batch.add(o);
            bytes += o.size();
            outgoingBytes -= o.size();
        }
        publishing = true;
        pool.withConnection(c -> publish(c, batch)).onComplete(ar -> context.runOnContext(v -> {
            publishing = false;
            if (ar.succeeded()) {
                published.addAndGet(batch.size());
                batches.incrementAndGet();
            } else {
                link.drop(batch.size());
                link.error(ar.cause().getMessage());
                LOG.debugf("Socket.IO bus: %d notifications could not be published: %s", batch.size(),
                        ar.cause().getMessage());
            }
            flush();
        }));
    }

    private Future<Void> publish(SqlConnection c, List<Outgoing> batch) {
        boolean simple = batch.stream().allMatch(o -> o.attachment() == null && o.log() == null);
        if (simple) {
            return notifyAll(c, batch, new String[batch.size()]);
        }
        return c.begin().compose(tx -> {
            String[] texts = new String[batch.size()];
            Future<Void> f = Future.succeededFuture();
            PostgresChannels.RecoveryTables r = setup.recovery();
            if (r != null && batch.stream().anyMatch(o -> o.log() != null)) {
                // the log's order must be the order in which every server receives the broadcasts: one writer at a time
                f = c.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(lockKey(r.log()))).mapEmpty();
            }
            for (int i = 0; i < batch.size(); i++) {
                Outgoing o = batch.get(i);
                int index = i;
                if (o.attachment() != null) {
                    f = f.compose(v -> c.preparedQuery("INSERT INTO " + setup.attachmentsTable()
                            + " (payload) VALUES ($1) RETURNING id").execute(Tuple.of(Buffer.buffer(o.attachment())))
                            .map(rows -> {
                                texts[index] = o.header().apply(rows.iterator().next().getLong(0));
                                return null;
                            }));
                }
                if (o.log() != null && r != null) {
                    PostgresChannels.LogEntry e = o.log();
                    f = f.compose(v -> c.preparedQuery("INSERT INTO " + r.log()
                            + " (nsp, offset_key, message) VALUES ($1, $2, $3)")
                            .execute(Tuple.of(e.namespace(), e.offset(), Buffer.buffer(e.message()))).mapEmpty());
                }
            }
            return f.compose(v -> notifyAll(c, batch, texts)).compose(v -> tx.commit()).recover(e -> tx.rollback()
                    .transform(ignored -> Future.failedFuture(e)));
        });
    }

    private static Future<Void> notifyAll(SqlConnection c, List<Outgoing> batch, String[] texts) {
        String[] channels = new String[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            channels[i] = batch.get(i).channel();
            if (texts[i] == null) {
                texts[i] = batch.get(i).text();
            }
        }
        return c.preparedQuery(NOTIFY_BATCH).execute(Tuple.tuple().addArrayOfString(channels).addArrayOfString(texts))
                .mapEmpty();
    }

    private static long lockKey(String table) {
        return ("qsio-log:" + table).hashCode();
    }

    /** Notifications published, and the batches (transactions) that carried them. */
    long published() {
        return published.get();
    }

    long batches() {
        return batches.get();
    }
}
