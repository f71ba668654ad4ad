package dev.qsio.runtime.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongFunction;

import org.jboss.logging.Logger;

import dev.qsio.runtime.bus.BrokerLink;
import dev.qsio.runtime.bus.BusChannels;
import dev.qsio.runtime.bus.BusChannelsBase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.PgNotification;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * One server's channels on PostgreSQL ({@code LISTEN}/{@code NOTIFY}). A connection of its own listens (a pooled one
 * could be closed or reused by the pool); the application's pool publishes and reads. PostgreSQL delivers a
 * notification to the listeners that were listening when it was committed, and to no one else: nothing waits for a
 * server that is not listening.
 * <ul>
 * <li>Publishing ({@link PostgresPublisher}) keeps each server's order: publications go out one batch at a time, a
 * batch being what was queued while the previous one was in flight, in one statement (one transaction, so one commit
 * for many notifications). Payloads that do not fit in a notification go to the attachments table in the same
 * transaction, and only a header naming the row is notified. While the listening connection is down nothing is
 * published, and what would have been is counted as dropped, as on Redis.</li>
 * <li>Receiving keeps PostgreSQL's order: a notification whose payload must be read from the attachments table holds
 * the ones behind it until it is read.</li>
 * <li>The listening connection is made again after it closes (a restarted PostgreSQL, a dropped connection), with a
 * delay doubling up to {@code reconnect-delay-max}; the channels are listened to again before it counts as up.</li>
 * </ul>
 * As {@link BusChannels}, it carries the bus's binary frames: base64 in the notification, or {@code @<id>} naming an
 * attachment row.
 */
public final class PostgresChannels extends BusChannelsBase {

    private static final Logger LOG = Logger.getLogger(PostgresChannels.class);
    /** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1): a longer channel name would be cut or refused. */
    static final int MAX_CHANNEL_BYTES = 63;
    /** A broadcast of connection state recovery's log: written in the same transaction as its notification. */
    record LogEntry(String namespace, String offset, byte[] message) {
    }

    /**
     * What the application's configuration names: the pool, how to open the listening connection (none for an
     * emitter, which only publishes), and the tables.
     */
    record Setup(Pool pool, PgConnectOptions listenOptions, String displayUrl, PostgresMisconfiguration.Keys keys,
            String attachmentsTable, RecoveryTables recovery, int payloadThreshold, Duration cleanupInterval,
            Duration reconnectDelayMax) {
    }

    /** The tables of connection state recovery, when it is on. */
    record RecoveryTables(String log, String sessions, long windowMs) {
    }

    private final Vertx vertx;
    private final Context context;
    private final Setup setup;
    private final Pool pool;
    /** PostgreSQL channel name to its receiver. */
    private final Map<String, Function<String, Future<Void>>> listeners = new ConcurrentHashMap<>();
    private final PostgresPublisher publisher;
    private final ArrayDeque<PgNotification> received = new ArrayDeque<>();
    private boolean delivering;
    private PgConnection listening;
    /** Counts connection attempts: the callbacks of an abandoned one are ignored. */
    private long generation;
    private boolean tablesReady;
    private long cleanupTimer = -1;
    private Promise<Void> started;

    PostgresChannels(Vertx vertx, Setup setup) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.setup = setup;
        this.pool = setup.pool();
        this.publisher = new PostgresPublisher(context, setup, link);
    }

    /** The PostgreSQL name of a channel: itself when it fits in an identifier, else a shortened form with a hash. */
    static String channelName(String channel) {
        byte[] bytes = channel.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_CHANNEL_BYTES) {
            return channel;
        }
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
            StringBuilder head = new StringBuilder();
            for (int i = 0; i < channel.length() && head.toString().getBytes(StandardCharsets.UTF_8).length < 40; i++) {
                head.append(channel.charAt(i));
            }
            return head + "~" + hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String displayUrl() {
        return setup.displayUrl();
    }

    @Override
    public Future<Void> start() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            started = p;
            connect();
            cleanupTimer = vertx.setPeriodic(setup.cleanupInterval().toMillis(), t -> cleanup());
        });
        return p.future();
    }

    private void connect() {
        if (link.isClosed()) {
            return;
        }
        if (setup.listenOptions() == null) {
            publishOnly();
            return;
        }
        long attempt = ++generation;
        link.attempting();
        PgConnection.connect(vertx, setup.listenOptions()).compose(c -> {
            if (attempt != generation || link.isClosed()) {
                c.close();
                return Future.failedFuture("abandoned");
            }
            listening = c;
            c.notificationHandler(n -> onNotification(attempt, n));
            c.closeHandler(v -> lost(attempt, "the listening connection closed"));
            c.exceptionHandler(e -> LOG.debugf("PostgreSQL listening connection: %s", e.getMessage()));
            return listenAll(c);
        }).compose(v -> tables()).onComplete(ar -> {
            if (attempt != generation || link.isClosed()) {
                return;
            }
            if (ar.succeeded()) {
                link.wentUp(() -> LOG.debugf("Socket.IO bus: listening on PostgreSQL at %s", setup.displayUrl()));
                if (started != null) {
                    started.tryComplete();
                }
                return;
            }
            Throwable cause = ar.cause();
            link.error(cause.getMessage());
            PostgresMisconfiguration wrong = PostgresMisconfiguration.of(cause, setup.keys(), setup.displayUrl());
            if (started != null && wrong != null) {
                started.tryFail(wrong);
            } else if (started != null) {
                started.tryFail(cause);
            }
            if (listening != null) {
                PgConnection c = listening;
                listening = null;
                c.close();
            }
            link.attemptOver();
            retryLater();
        });
    }

    /**
     * An emitter's channels: nothing to listen to, and publishing at once (a failed batch is dropped and counted);
     * the attachments table is made when missing.
     */
    private void publishOnly() {
        link.upWithoutListening();
        tables().onComplete(ar -> {
            if (ar.succeeded()) {
                link.error(null);
                if (started != null) {
                    started.tryComplete();
                }
                return;
            }
            link.error(ar.cause().getMessage());
            PostgresMisconfiguration wrong = PostgresMisconfiguration.of(ar.cause(), setup.keys(), setup.displayUrl());
            if (started != null) {
                started.tryFail(wrong != null ? wrong : ar.cause());
            }
            retryLater();
        });
    }

    private Future<Void> listenAll(PgConnection c) {
        Set<String> channels = Set.copyOf(listeners.keySet());
        if (channels.isEmpty()) {
            return Future.succeededFuture();
        }
        StringBuilder sql = new StringBuilder();
        for (String channel : channels) {
            sql.append("LISTEN ").append(quoted(channel)).append(';');
        }
        return c.query(sql.toString()).execute().mapEmpty();
    }

    /** Connects again after the link's wait, jittered between half of it and all of it. */
    private void retryLater() {
        if (link.isClosed()) {
            return;
        }
        long wait = link.nextDelay(Math.max(BrokerLink.FIRST_DELAY_MS, setup.reconnectDelayMax().toMillis()));
        long delay = wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
        vertx.setTimer(Math.max(1, delay), t -> context.runOnContext(v -> connect()));
    }

    /** The listening connection of {@code attempt} is gone: down until it is made again. */
    private void lost(long attempt, String reason) {
        context.runOnContext(v -> {
            if (attempt != generation || link.isClosed()) {
                return;
            }
            listening = null;
            generation++;
            markDown(reason);
            retryLater();
        });
    }

    private void markDown(String reason) {
        link.wentDown(reason, () -> LOG.warnf("Socket.IO bus: not listening on PostgreSQL at %s (%s); listening again "
                + "as soon as it answers", setup.displayUrl(), reason));
    }

    /** Creates the tables this wire writes, once, when they are missing. */
    private Future<Void> tables() {
        if (tablesReady) {
            return Future.succeededFuture();
        }
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE TABLE IF NOT EXISTS " + setup.attachmentsTable()
                + " (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)");
        RecoveryTables r = setup.recovery();
        if (r != null) {
            ddl.add("CREATE TABLE IF NOT EXISTS " + r.log() + " (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL"
                    + " DEFAULT NOW(), nsp text NOT NULL, offset_key text NOT NULL, message bytea NOT NULL)");
            ddl.add("CREATE INDEX IF NOT EXISTS " + r.log().replace('.', '_') + "_offset ON " + r.log()
                    + " (nsp, offset_key)");
            ddl.add("CREATE TABLE IF NOT EXISTS " + r.sessions() + " (nsp text NOT NULL, pid text NOT NULL, session text"
                    + " NOT NULL, expires_at timestamptz NOT NULL, PRIMARY KEY (nsp, pid))");
        }
        Future<Void> f = Future.succeededFuture();
        for (String statement : ddl) {
            // servers starting together may both create: the loser's unique violation means the table is there
            f = f.compose(v -> pool.query(statement).execute().<Void> mapEmpty().recover(e -> e instanceof PgException pg
                    && ("23505".equals(pg.getSqlState()) || "42P07".equals(pg.getSqlState()))
                            ? Future.succeededFuture()
                            : Future.failedFuture(e)));
        }
        return f.onSuccess(v -> tablesReady = true);
    }

    private void cleanup() {
        if (!link.isUp()) {
            return;
        }
        double seconds = setup.cleanupInterval().toMillis() / 1000.0;
        pool.preparedQuery("DELETE FROM " + setup.attachmentsTable() + " WHERE created_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of(seconds)).onFailure(e -> LOG.debugf("removing old attachments failed: %s", e.getMessage()));
        RecoveryTables r = setup.recovery();
        if (r != null) {
            pool.preparedQuery("DELETE FROM " + r.log() + " WHERE created_at < now() - make_interval(secs => $1)")
                    .execute(Tuple.of(r.windowMs() / 1000.0))
                    .onFailure(e -> LOG.debugf("trimming the broadcast log failed: %s", e.getMessage()));
            pool.query("DELETE FROM " + r.sessions() + " WHERE expires_at < now()").execute()
                    .onFailure(e -> LOG.debugf("removing expired sessions failed: %s", e.getMessage()));
        }
    }

    // ================================================================ receiving

    /**
     * Receives the notifications of a channel, in order: the next is held until the future of this one completes (a
     * receiver that reads an attachment completes it once read).
     */
    void listen(String channel, Function<String, Future<Void>> receiver) {
        String name = channelName(channel);
        context.runOnContext(v -> {
            boolean added = listeners.put(name, receiver) == null;
            if (added && listening != null) {
                listening.query("LISTEN " + quoted(name)).execute().onFailure(e -> LOG.debugf("LISTEN %s failed: %s", name,
                        e.getMessage()));
            }
        });
    }

    void unlisten(String channel) {
        String name = channelName(channel);
        context.runOnContext(v -> {
            if (listeners.remove(name) != null && listening != null) {
                listening.query("UNLISTEN " + quoted(name)).execute();
            }
        });
    }

    private void onNotification(long attempt, PgNotification n) {
        if (attempt != generation) {
            return;
        }
        received.add(n);
        deliver();
    }

    private void deliver() {
        while (!delivering && !received.isEmpty()) {
            PgNotification n = received.poll();
            Function<String, Future<Void>> receiver = listeners.get(n.getChannel());
            if (receiver == null) {
                continue;
            }
            Future<Void> done;
            try {
                done = receiver.apply(n.getPayload());
            } catch (RuntimeException e) {
                LOG.errorf(e, "A notification on %s could not be applied", n.getChannel());
                continue;
            }
            if (done == null || done.isComplete()) {
                continue;
            }
            delivering = true;
            done.onComplete(ar -> context.runOnContext(v -> {
                delivering = false;
                deliver();
            }));
        }
    }

    /** The payload of an attachment row, or null when it is gone (cleaned up, or never committed). */
    Future<byte[]> attachment(long id) {
        return pool.preparedQuery("SELECT payload FROM " + setup.attachmentsTable() + " WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    for (Row row : rows) {
                        Buffer b = row.getBuffer(0);
                        return b == null ? null : b.getBytes();
                    }
                    return null;
                });
    }

    // ================================================================ publishing

    /** Notifies {@code text} on a channel. */
    void notify(String channel, String text) {
        publisher.send(new PostgresPublisher.Outgoing(channelName(channel), text, null, null, null));
    }

    /**
     * Writes {@code body} to the attachments table and notifies the header that {@code header} makes of its row id,
     * in one transaction; with {@code log}, also appends to the broadcast log.
     */
    void notifyAttached(String channel, byte[] body, LongFunction<String> header, LogEntry log) {
        publisher.send(new PostgresPublisher.Outgoing(channelName(channel), null, body, header, log));
    }

    /** Notifies {@code text} and appends to the broadcast log in one transaction. */
    void notifyLogged(String channel, String text, LogEntry log) {
        publisher.send(new PostgresPublisher.Outgoing(channelName(channel), text, null, null, log));
    }

    /** The largest notification payload. */
    int payloadThreshold() {
        return setup.payloadThreshold();
    }

    /**
     * Completes once every notification queued before the call has been published or dropped (the transactions that
     * carry the broadcast log's entries have committed or failed).
     */
    public Future<Void> flushed() {
        return publisher.flushed();
    }

    // ================================================================ BusChannels: the bus's binary frames

    @Override
    public void publish(String channel, Buffer payload) {
        String text = Base64.getEncoder().encodeToString(payload.getBytes());
        if (text.length() < setup.payloadThreshold()) {
            notify(channel, text);
        } else {
            notifyAttached(channel, payload.getBytes(), id -> "@" + id, null);
        }
    }

    @Override
    public void subscribe(String channel, BiConsumer<String, Buffer> handler) {
        listen(channel, text -> {
            if (!text.startsWith("@")) {
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(text);
                } catch (IllegalArgumentException e) {
                    return null;
                }
                handler.accept(channel, Buffer.buffer(bytes));
                return null;
            }
            long id;
            try {
                id = Long.parseLong(text, 1, text.length(), 10);
            } catch (NumberFormatException e) {
                return null;
            }
            return attachment(id).map(body -> {
                if (body != null) {
                    handler.accept(channel, Buffer.buffer(body));
                }
                return (Void) null;
            }).otherwise((Void) null);
        });
    }

    @Override
    public void unsubscribe(String channel) {
        unlisten(channel);
    }

    /** Notifications published, and the batches (transactions) that carried them. */
    long published() {
        return publisher.published();
    }

    long batches() {
        return publisher.batches();
    }

    @Override
    public String lastError() {
        // a batch that fails while listening sets it too: it is reported while down only
        return link.isUp() ? null : link.lastError();
    }

    @Override
    public void unresponsive(String reason) {
        context.runOnContext(v -> {
            if (link.isClosed()) {
                return;
            }
            PgConnection c = listening;
            listening = null;
            generation++;
            link.attemptOver();
            markDown(reason);
            if (c != null) {
                c.close();
            }
            retryLater();
        });
    }

    @Override
    public void close() {
        context.runOnContext(v -> {
            link.close();
            generation++;
            if (cleanupTimer >= 0) {
                vertx.cancelTimer(cleanupTimer);
            }
            if (listening != null) {
                listening.close();
                listening = null;
            }
        });
    }
}
