package dev.qsio;

/**
 * Decides whether an Engine.IO handshake may open a session: the counterpart of Node's {@code allowRequest}.
 * <p>
 * Declare a CDI bean implementing this interface. It is called for every handshake (polling, WebSocket and
 * WebTransport) on the event loop, so it must not block: a check that needs a store is an {@link AsyncHandshakeFilter},
 * asked after every {@code HandshakeFilter} has allowed the handshake. A refused request gets HTTP 403 with
 * {@code {"code":4,"message":"<message>"}}, as the reference server answers; a filter that throws or answers
 * {@code null} refuses it with {@code "Forbidden"}.
 *
 * @see AsyncHandshakeFilter
 */
@FunctionalInterface
public interface HandshakeFilter {

    /** Returns {@link Decision#allow()} or {@link Decision#refuse(String)}. */
    Decision check(HandshakeRequest request);

    /** The outcome of {@link #check(HandshakeRequest)}. */
    record Decision(boolean allowed, String message) {
        private static final Decision ALLOW = new Decision(true, null);

        public static Decision allow() {
            return ALLOW;
        }

        public static Decision refuse(String message) {
            return new Decision(false, message == null ? "Forbidden" : message);
        }
    }
}
