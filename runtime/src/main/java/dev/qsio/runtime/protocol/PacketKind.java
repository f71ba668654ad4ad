package dev.qsio.runtime.protocol;

/** Socket.IO v5 packet types, with the digit that encodes each. */
public enum PacketKind {
    CONNECT,
    DISCONNECT,
    EVENT,
    ACK,
    CONNECT_ERROR,
    BINARY_EVENT,
    BINARY_ACK;

    private static final PacketKind[] BY_CODE = values();

    public char code() {
        return (char) ('0' + ordinal());
    }

    static PacketKind of(char c) {
        int i = c - '0';
        return i >= 0 && i < BY_CODE.length ? BY_CODE[i] : null;
    }

    boolean binary() {
        return this == BINARY_EVENT || this == BINARY_ACK;
    }
}
