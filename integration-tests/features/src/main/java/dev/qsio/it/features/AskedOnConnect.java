package dev.qsio.it.features;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.qsio.OnConnect;
import dev.qsio.SocketDisconnectedException;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.smallrye.common.annotation.Blocking;

/**
 * Asks each client a question as it connects and waits for the answer on a worker thread, for up to a minute: a
 * client that leaves without answering ends the wait at once. Counts the handlers still waiting, and how each wait
 * ended.
 */
@SocketIo("/asked")
public class AskedOnConnect {

    /** How one handler's wait ended, and how long it took. */
    public record Outcome(String failure, String reason, long waitedMs) {
    }

    final AtomicInteger waiting = new AtomicInteger();
    final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();

    @OnConnect
    @Blocking
    void ask(SocketIoSocket socket) {
        waiting.incrementAndGet();
        long start = System.nanoTime();
        try {
            socket.timeout(Duration.ofSeconds(60)).emitWithAckAndAwait("question");
            outcomes.put(socket.id(), new Outcome(null, null, since(start)));
        } catch (SocketDisconnectedException e) {
            outcomes.put(socket.id(), new Outcome(e.getClass().getSimpleName(), e.reason(), since(start)));
        } catch (RuntimeException e) {
            outcomes.put(socket.id(), new Outcome(e.getClass().getSimpleName(), e.getMessage(), since(start)));
        } finally {
            waiting.decrementAndGet();
        }
    }

    private static long since(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The handlers blocked in their wait now. */
    public int waiting() {
        return waiting.get();
    }

    /** How each socket's wait ended, by socket id. */
    public Map<String, Outcome> outcomes() {
        return outcomes;
    }

    public void clear() {
        outcomes.clear();
    }
}
