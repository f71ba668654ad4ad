package dev.qsio.runtime.server;

import java.time.Duration;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.EventArgs;
import dev.qsio.SocketIoSocket;
import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.spans.Tracing;
import io.smallrye.mutiny.Uni;

/**
 * Emitting to one socket: each event and acknowledgement is written in a tracing span of its own, and an event is
 * logged first when connection state recovery is on. An instance emits with an acknowledgement timeout, with or
 * without compression.
 */
final class SocketEmission implements SocketIoSocket.Emitter {

    private final SocketImpl socket;
    private final Duration timeout;
    private final boolean compress;
    private final boolean volatileFlag;

    SocketEmission(SocketImpl socket, Duration timeout, boolean compress, boolean volatileFlag) {
        this.socket = socket;
        this.timeout = timeout;
        this.compress = compress;
        this.volatileFlag = volatileFlag;
    }

    @Override
    public SocketIoSocket.Emitter compress(boolean compress) {
        return new SocketEmission(socket, timeout, compress, volatileFlag);
    }

    @Override
    public SocketIoSocket.Emitter timeout(Duration timeout) {
        return new SocketEmission(socket, SocketAcks.timeout(timeout), compress, volatileFlag);
    }

    @Override
    public SocketIoSocket.Emitter volatile_() {
        return new SocketEmission(socket, timeout, compress, true);
    }

    @Override
    public void emit(String event, Object... args) {
        if (compress && !volatileFlag) {
            emit(socket, event, args);
            return;
        }
        Encoded packet = socket.namespace.server.json().encoder().event(socket.namespace.name(), -1, event, args);
        // a volatile event is not logged for recovery (a client that missed it is not owed it), as in Node
        emitEncoded(socket, event, compress ? packet : packet.uncompressed(), volatileFlag);
    }

    @Override
    public Uni<JsonNode> emitWithAck(String event, Object... args) {
        return emitWithAckArgs(event, args).map(SocketIoServerImpl::firstOf);
    }

    @Override
    public Uni<EventArgs> emitWithAckArgs(String event, Object... args) {
        return socket.emitWithAckArgs(timeout, event, args, compress);
    }

    @Override
    public <T> Uni<T> emitWithAck(Class<T> type, String event, Object... args) {
        return emitWithAck(event, args).map(v -> socket.namespace.server.ackValue(v, type));
    }

    /** Emits an event to a socket's client (see {@link SocketIoSocket#emit}). */
    static void emit(SocketImpl s, String event, Object[] args) {
        Namespace namespace = s.namespace;
        Tracing.Span span = emitSpan(s, event);
        try (Tracing.Scope scope = span.enter()) {
            if (s.pid != null && namespace.server.sessionStore() != null) {
                // recovery is on: logged, so that the client gets it when it reconnects if it missed it, even when this
                // socket is already disconnected (as Node's socket.emit with recovery on)
                namespace.emitLogged(s.id(), event, args);
            } else {
                s.write(namespace.server.json().encoder().event(namespace.name(), -1, event, args), false);
            }
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    /** Writes an emitted event in its span. */
    static void emitEncoded(SocketImpl s, String event, Encoded packet, boolean dropIfBusy) {
        Tracing.Span span = emitSpan(s, event);
        try (Tracing.Scope scope = span.enter()) {
            s.write(packet, dropIfBusy);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    /** Sends the acknowledgement of a client's event, in its span; a slow client cannot miss it. */
    static void sendAck(SocketImpl s, long ackId, String event, Object[] args) {
        Namespace namespace = s.namespace;
        Tracing.Span span = namespace.server.tracing().sending(Tracing.Send.ACK, namespace.name(), event, s.id(),
                Set.of(), Set.of());
        try (Tracing.Scope scope = span.enter()) {
            s.write(namespace.server.json().encoder().ack(namespace.name(), ackId, args), false, false);
        } catch (RuntimeException e) {
            span.end(e);
            throw e;
        }
        span.end(null);
    }

    private static Tracing.Span emitSpan(SocketImpl s, String event) {
        return s.namespace.server.tracing().sending(Tracing.Send.EMIT, s.namespace.name(), event, s.id(), Set.of(),
                Set.of());
    }
}
