package dev.qsio.runtime.adapter;

/**
 * The messages of the cluster adapter, after {@code @socket.io/cluster-adapter}: a broadcast, the requests that
 * act on or collect sockets elsewhere, and their responses.
 */
enum AdapterMessage {
    BROADCAST,
    SOCKETS_JOIN,
    SOCKETS_LEAVE,
    DISCONNECT_SOCKETS,
    FETCH_SOCKETS,
    FETCH_SOCKETS_RESPONSE,
    SERVER_SIDE_EMIT,
    SERVER_SIDE_EMIT_RESPONSE,
    BROADCAST_CLIENT_COUNT,
    BROADCAST_ACK;

    static final AdapterMessage[] ALL = values();
}
