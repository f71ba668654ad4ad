package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.qsio.runtime.adapter.SessionStore;
import dev.qsio.runtime.protocol.Encoded;

/**
 * The catch-up of a socket restored by connection state recovery: the packets it missed are sent from the log, and
 * each packet is sent once. A socket has one from the moment it is restored until 10 s after it has caught up, and
 * none otherwise, so that a write to a socket that is not being restored reads one field and finds it null.
 * <p>
 * While the socket catches up, the packets written to it are held and sent once it has caught up. After it has, the
 * packets already sent from the log are remembered: live copies of them may still arrive (they were logged before the
 * log was read, but their delivery comes later on another connection) and are dropped.
 */
final class RecoveryCatchUp {

    /** Live copies of logged packets arrive within a bus round trip; the filter is dropped well after. */
    private static final long FILTER_MILLIS = 10_000;

    private final SocketImpl socket;
    /** The packets written to the socket while it catches up; null once it has. Written under the monitor. */
    private volatile List<Encoded> held = new ArrayList<>();
    /** After catching up, the packets already sent from the log; null before. */
    private volatile Set<String> alreadySent;

    /**
     * Starts holding the packets written to a socket; made before the socket joins any room, its own included: a
     * packet emitted to it meanwhile is also in the log it is about to be sent from, so it must be held (and sent
     * once), never written directly.
     */
    RecoveryCatchUp(SocketImpl socket) {
        this.socket = socket;
    }

    /**
     * Whether a packet written to the socket is to be written now: not when it is held (it is sent once the socket has
     * caught up), nor when it was already sent from the log.
     */
    boolean passes(Encoded packet) {
        if (held != null) {
            synchronized (this) {
                if (held != null) {
                    held.add(packet);
                    return false;
                }
            }
        }
        Set<String> sent = alreadySent;
        return sent == null || !sent.contains(packet.identity());
    }

    /**
     * Sends the packets the socket missed, then asks the store what was logged since the last of them; the socket is
     * caught up once that, and the packets held meanwhile, have been sent. On the socket's context.
     */
    void replay(SessionStore.Restored restored, String clientOffset) {
        Client client = socket.client;
        Namespace namespace = socket.namespace;
        Set<String> sent = new HashSet<>();
        for (SessionStore.Logged missed : restored.missed()) {
            client.write(missed.packet(), false);
            sent.add(missed.packet().identity());
        }
        namespace.server.sessionStore().since(namespace.name(), restored.session().rooms(),
                restored.lastOffset(clientOffset)).subscribe().with(
                        later -> client.context.runOnContext(v -> caughtUp(later, sent)),
                        failure -> client.context.runOnContext(v -> caughtUp(List.of(), sent)));
    }

    /** Sends what was logged while the socket was being restored, then the packets held meanwhile (once each). */
    private void caughtUp(List<SessionStore.Logged> later, Set<String> sent) {
        Client client = socket.client;
        for (SessionStore.Logged l : later) {
            if (sent.add(l.packet().identity())) {
                client.write(l.packet(), false);
            }
        }
        // the held packets go out in batches while later live ones keep being held, so that none overtakes them;
        // holding stops under the lock once nothing is left
        while (true) {
            List<Encoded> batch;
            synchronized (this) {
                batch = held;
                if (batch.isEmpty()) {
                    held = null;
                    alreadySent = sent;
                    break;
                }
                held = new ArrayList<>();
            }
            for (Encoded p : batch) {
                if (!sent.contains(p.identity())) {
                    client.write(p, false);
                }
            }
        }
        socket.namespace.server.vertx().setTimer(FILTER_MILLIS, t -> socket.catchUp = null);
    }
}
