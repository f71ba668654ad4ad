package dev.qsio.runtime.server;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.qsio.Ack;

/** The acknowledgement a client asked for with an event. */
final class AckImpl implements Ack {

    static final Ack NONE = new Ack() {
        @Override
        public boolean requested() {
            return false;
        }

        @Override
        public void send(Object... args) {
        }
    };

    private final SocketImpl socket;
    private final long id;
    private final String event;
    private final AtomicBoolean sent = new AtomicBoolean();

    AckImpl(SocketImpl socket, long id, String event) {
        this.socket = socket;
        this.id = id;
        this.event = event;
    }

    @Override
    public boolean requested() {
        return true;
    }

    @Override
    public void send(Object... args) {
        if (sent.compareAndSet(false, true)) {
            SocketEmission.sendAck(socket, id, event, args);
        }
    }
}
