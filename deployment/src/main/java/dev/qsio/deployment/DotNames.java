package dev.qsio.deployment;

import org.jboss.jandex.DotName;

import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;

/** The annotation and type names the processor looks for. */
final class DotNames {

    static final DotName ENGINE_IO_ENDPOINT = DotName.createSimple(EngineIoEndpoint.class);
    static final DotName ENGINE_IO_HANDLER = DotName.createSimple(EngineIoHandler.class);

    private DotNames() {
    }
}
