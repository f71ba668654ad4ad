package dev.qsio.runtime.engine;

import java.util.List;

/**
 * The registry of Engine.IO transports: each is one class, whose {@link TransportKind} is listed here. Nothing else
 * names a transport; the engine, the cluster, the figures and the configuration iterate this list.
 */
public final class Transports {

    /** Every transport, in the order the figures list them. */
    public static final List<TransportKind> ALL = List.of(WebSocketTransport.KIND, PollingTransport.KIND,
            WebTransportTransport.KIND);

    private Transports() {
    }

    /** The transport of this name, or null. */
    public static TransportKind named(String name) {
        for (TransportKind kind : ALL) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        return null;
    }

    /** The names, as a sentence lists them: {@code 'polling' and 'websocket'}. */
    static String names() {
        StringBuilder sb = new StringBuilder();
        List<TransportKind> sorted = ALL.stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
        for (int i = 0; i < sorted.size(); i++) {
            sb.append(i == 0 ? "" : i == sorted.size() - 1 ? " and " : ", ").append('\'').append(sorted.get(i).name())
                    .append('\'');
        }
        return sb.toString();
    }
}
