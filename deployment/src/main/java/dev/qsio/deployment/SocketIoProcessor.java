package dev.qsio.deployment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.IndexView;

import dev.qsio.runtime.SocketIoRecorder;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.WebSocketLimits;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanDefiningAnnotationBuildItem;
import io.quarkus.arc.processor.BuiltinScope;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.vertx.http.deployment.RouteBuildItem;

class SocketIoProcessor {

    static final String FEATURE = "socketio";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    AdditionalBeanBuildItem runtimeBeans() {
        return AdditionalBeanBuildItem.builder()
                .addBeanClasses(EngineEndpoints.class, WebSocketLimits.class)
                .setUnremovable()
                .build();
    }

    @BuildStep
    BeanDefiningAnnotationBuildItem engineEndpointsAreBeans() {
        return new BeanDefiningAnnotationBuildItem(DotNames.ENGINE_IO_ENDPOINT, BuiltinScope.SINGLETON.getName());
    }

    @BuildStep
    void collectEngineEndpoints(CombinedIndexBuildItem index, BuildProducer<EngineEndpointBuildItem> endpoints,
            BuildProducer<AdditionalBeanBuildItem> beans) {
        IndexView view = index.getIndex();
        Map<String, String> byPath = new HashMap<>();
        for (AnnotationInstance annotation : view.getAnnotations(DotNames.ENGINE_IO_ENDPOINT)) {
            if (annotation.target().kind() != AnnotationTarget.Kind.CLASS) {
                continue;
            }
            ClassInfo type = annotation.target().asClass();
            if (!implementsHandler(view, type)) {
                throw new IllegalStateException("@EngineIoEndpoint class " + type.name()
                        + " must implement dev.qsio.EngineIoHandler");
            }
            String path = Paths.normalize(annotation.value().asString());
            String previous = byPath.put(path, type.name().toString());
            if (previous != null) {
                throw new IllegalStateException("@EngineIoEndpoint path " + path + " is declared by both " + previous
                        + " and " + type.name());
            }
            endpoints.produce(new EngineEndpointBuildItem(path, type.name().toString()));
            beans.produce(AdditionalBeanBuildItem.unremovableOf(type.name().toString()));
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void engineRoutes(List<EngineEndpointBuildItem> endpoints, SocketIoRecorder recorder,
            BuildProducer<RouteBuildItem> routes) {
        for (EngineEndpointBuildItem endpoint : endpoints) {
            routes.produce(RouteBuildItem.builder()
                    .route(endpoint.path + "*")
                    .handler(recorder.engineEndpoint(endpoint.path, endpoint.handlerClass))
                    .build());
        }
    }

    private static boolean implementsHandler(IndexView index, ClassInfo type) {
        ClassInfo current = type;
        while (current != null) {
            if (current.interfaceNames().contains(DotNames.ENGINE_IO_HANDLER)) {
                return true;
            }
            if (current.superName() == null) {
                return false;
            }
            current = index.getClassByName(current.superName());
        }
        return false;
    }
}
