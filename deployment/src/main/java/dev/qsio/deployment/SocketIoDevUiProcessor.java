package dev.qsio.deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.qsio.runtime.config.SocketIoBuildTimeConfig;
import dev.qsio.runtime.devui.SocketIoDevUiService;
import dev.qsio.runtime.server.HandlerDefinition;
import io.quarkus.deployment.IsDevelopment;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.LaunchModeBuildItem;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;
import io.quarkus.vertx.http.deployment.NonApplicationRootPathBuildItem;
import io.quarkus.vertx.http.runtime.management.ManagementInterfaceBuildTimeConfig;

/**
 * The Dev UI card: namespaces and their handlers (build-time data), connected sockets and the cluster (JSON-RPC).
 */
class SocketIoDevUiProcessor {

    @BuildStep(onlyIf = IsDevelopment.class)
    CardPageBuildItem card(List<HandlerMethodBuildItem> handlers, SocketIoBuildTimeConfig config,
            NonApplicationRootPathBuildItem paths, ManagementInterfaceBuildTimeConfig management,
            LaunchModeBuildItem launchMode) {
        Map<String, List<Map<String, String>>> byNamespace = new LinkedHashMap<>();
        for (HandlerMethodBuildItem h : handlers) {
            String namespace = h.kind == HandlerDefinition.Kind.BROADCAST ? h.namespace + " (broadcasts)"
                    : h.namespace.toString();
            Map<String, String> row = new LinkedHashMap<>();
            row.put("kind", h.kind.name().toLowerCase(Locale.ROOT));
            row.put("event", h.event == null ? "" : h.event);
            row.put("class", h.bean.name().toString());
            row.put("method", h.method.name());
            row.put("threading", switch (h.execution) {
                case EVENT_LOOP -> "event loop";
                case WORKER -> "worker thread";
                case VIRTUAL_THREAD -> "virtual thread";
            });
            byNamespace.computeIfAbsent(namespace, k -> new ArrayList<>()).add(row);
        }
        List<Map<String, Object>> namespaces = new ArrayList<>();
        byNamespace.forEach((name, rows) -> namespaces.add(Map.of("namespace", name, "handlers", rows)));

        CardPageBuildItem card = new CardPageBuildItem();
        card.addBuildTimeData("namespaces", namespaces);
        card.addBuildTimeData("path", Paths.normalize(config.path()));
        card.addPage(Page.webComponentPageBuilder()
                .title("Sockets")
                .icon("font-awesome-solid:plug")
                .componentLink("qwc-socketio-sockets.js")
                .dynamicLabelJsonRPCMethodName("getSocketCount"));
        card.addPage(Page.webComponentPageBuilder()
                .title("Handlers")
                .icon("font-awesome-solid:code")
                .componentLink("qwc-socketio-handlers.js")
                .staticLabel(String.valueOf(handlers.size())));
        card.addPage(Page.webComponentPageBuilder()
                .title("Cluster")
                .icon("font-awesome-solid:server")
                .componentLink("qwc-socketio-cluster.js"));
        // the official Admin UI, served on the management interface when quarkus.socketio.admin-ui.enabled=true
        String adminUi = paths.resolveManagementPath("socketio/admin/", management, launchMode);
        card.addPage(Page.externalPageBuilder("Admin UI")
                .icon("font-awesome-solid:gauge")
                .url(adminUi, adminUi)
                .isHtmlContent()
                .doNotEmbed());
        return card;
    }

    @BuildStep(onlyIf = IsDevelopment.class)
    JsonRPCProvidersBuildItem jsonRpc() {
        return new JsonRPCProvidersBuildItem(SocketIoDevUiService.class);
    }
}
