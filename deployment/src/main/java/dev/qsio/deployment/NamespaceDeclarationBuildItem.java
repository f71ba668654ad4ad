package dev.qsio.deployment;

import dev.qsio.runtime.server.HandlerDefinition;
import io.quarkus.builder.item.MultiBuildItem;

/** The namespace a {@code @SocketIo} class declares, whether or not it has handler methods. */
final class NamespaceDeclarationBuildItem extends MultiBuildItem {

    final HandlerDefinition.NamespaceDeclaration declaration;

    NamespaceDeclarationBuildItem(HandlerDefinition.NamespaceDeclaration declaration) {
        this.declaration = declaration;
    }
}
