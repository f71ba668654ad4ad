package dev.qsio.testkit;

/** The Engine.IO transports a client may use, by their protocol names. */
public enum Transport {
    /** HTTP long-polling ({@code polling}). */
    POLLING("polling"),
    /** WebSocket ({@code websocket}). */
    WEBSOCKET("websocket");

    private final String protocolName;

    Transport(String protocolName) {
        this.protocolName = protocolName;
    }

    /** The name in the protocol, as {@code transports} options of the official clients spell it. */
    public String protocolName() {
        return protocolName;
    }
}
