package dev.qsio.runtime.engine;

/** Engine.IO v4 packet types, with the digit that encodes each. */
public enum EnginePacketType {
    OPEN('0'),
    CLOSE('1'),
    PING('2'),
    PONG('3'),
    MESSAGE('4'),
    UPGRADE('5'),
    NOOP('6');

    private static final EnginePacketType[] BY_DIGIT = values();

    final char code;

    EnginePacketType(char code) {
        this.code = code;
    }

    /** The type for an encoded digit, or {@code null} when the character is not one. */
    static EnginePacketType of(char c) {
        int i = c - '0';
        return i >= 0 && i < BY_DIGIT.length ? BY_DIGIT[i] : null;
    }
}
