package dev.qsio.runtime.admin;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.annotations.Recorder;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

@Recorder
public class AdminUiRecorder {

    /** The handler of the UI's page, and the Socket.IO path the admin namespace's figures are read at. */
    public Handler<RoutingContext> page(String socketIoPath) {
        Arc.container().instance(AdminUi.class).get().socketIoPath(socketIoPath);
        return new AdminUiPage(socketIoPath);
    }
}
