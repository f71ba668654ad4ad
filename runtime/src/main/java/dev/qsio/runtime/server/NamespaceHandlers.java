package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The handler methods of one namespace declaration, by kind.
 */
final class NamespaceHandlers {

    static final NamespaceHandlers NONE = new NamespaceHandlers(List.of(), null);

    /** Who may connect to the namespace, or null for anyone. */
    final Access access;

    final List<HandlerMethod> connect = new ArrayList<>();
    final List<HandlerMethod> disconnecting = new ArrayList<>();
    final List<HandlerMethod> disconnect = new ArrayList<>();
    final List<HandlerMethod> anyEvent = new ArrayList<>();
    final List<HandlerMethod> error = new ArrayList<>();
    final List<HandlerMethod> middleware = new ArrayList<>();
    private final Map<String, List<HandlerMethod>> events = new HashMap<>();

    NamespaceHandlers(List<HandlerMethod> methods, Access access) {
        this.access = access;
        for (HandlerMethod m : methods) {
            switch (m.kind) {
                case CONNECT -> connect.add(m);
                case DISCONNECTING -> disconnecting.add(m);
                case DISCONNECT -> disconnect.add(m);
                case ANY_EVENT -> anyEvent.add(m);
                case ERROR -> error.add(m);
                case MIDDLEWARE -> middleware.add(m);
                case EVENT -> events.computeIfAbsent(m.definition.event(), k -> new ArrayList<>()).add(m);
                default -> throw new IllegalArgumentException("not a namespace handler: " + m);
            }
        }
    }

    List<HandlerMethod> events(String event) {
        List<HandlerMethod> list = events.get(event);
        return list == null ? List.of() : list;
    }
}
