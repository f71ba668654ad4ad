package dev.qsio.deployment;

import io.quarkus.builder.item.MultiBuildItem;

/** A raw Engine.IO endpoint declared with {@code @EngineIoEndpoint}. */
final class EngineEndpointBuildItem extends MultiBuildItem {

    final String path;
    final String handlerClass;

    EngineEndpointBuildItem(String path, String handlerClass) {
        this.path = path;
        this.handlerClass = handlerClass;
    }
}
