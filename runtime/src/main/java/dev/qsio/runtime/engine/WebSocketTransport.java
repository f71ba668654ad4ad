package dev.qsio.runtime.engine;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

/**
 * WebSocket: one packet per frame, text packets in text frames and binary messages in binary frames.
 */
final class WebSocketTransport extends Transport {

    final ServerWebSocket ws;
    private boolean closed;

    WebSocketTransport(EngineSession<?> session, ServerWebSocket ws) {
        super(session);
        this.ws = ws;
    }

    @Override
    String name() {
        return "websocket";
    }

    @Override
    boolean writable() {
        return !closed;
    }

    @Override
    void send(List<EnginePacket> packets) {
        for (EnginePacket packet : packets) {
            send(packet);
        }
    }

    @Override
    void send(EnginePacket packet) {
        Buffer body = packet.frame();
        session.server.stats().bytesOut(body.length());
        ws.writeFrame(frame(packet, body));
    }

    /** Whether the socket's outbound queue is over its high-water mark (a slow client). */
    boolean congested() {
        return ws.writeQueueFull();
    }

    static WebSocketFrame frame(EnginePacket packet, Buffer body) {
        // The shared body is wrapped, not copied: each frame reads its own view of the same bytes, so a broadcast
        // encodes its packet once for every recipient.
        ByteBuf bytes = body.getByteBuf();
        return new WebSocketFrameImpl(packet.isBinary() ? WebSocketFrameType.BINARY : WebSocketFrameType.TEXT, bytes, true);
    }

    @Override
    void close() {
        if (!closed) {
            closed = true;
            if (!ws.isClosed()) {
                ws.close();
            }
        }
    }

    @Override
    void discard() {
        close();
    }
}
