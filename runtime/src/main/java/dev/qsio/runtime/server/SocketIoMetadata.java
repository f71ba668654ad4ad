package dev.qsio.runtime.server;

import java.util.List;

/**
 * Everything the build found: the handler methods. Produced as a synthetic bean by the deployment processor.
 */
public final class SocketIoMetadata {

    private final List<HandlerDefinition> handlers;
    private final List<HandlerDefinition.NamespaceDeclaration> declarations;

    public SocketIoMetadata(List<HandlerDefinition> handlers, List<HandlerDefinition.NamespaceDeclaration> declarations) {
        this.handlers = List.copyOf(handlers);
        this.declarations = List.copyOf(declarations);
    }

    /** Every namespace a {@code @SocketIo} class declares, those without handler methods included. */
    public List<HandlerDefinition.NamespaceDeclaration> declarations() {
        return declarations;
    }

    public List<HandlerDefinition> handlers() {
        return handlers;
    }
}
