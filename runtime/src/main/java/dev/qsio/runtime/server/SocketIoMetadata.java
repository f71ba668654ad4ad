package dev.qsio.runtime.server;

import java.util.List;

/**
 * Everything the build found: the handler methods. Produced as a synthetic bean by the deployment processor.
 */
public final class SocketIoMetadata {

    private final List<HandlerDefinition> handlers;

    public SocketIoMetadata(List<HandlerDefinition> handlers) {
        this.handlers = List.copyOf(handlers);
    }

    public List<HandlerDefinition> handlers() {
        return handlers;
    }
}
