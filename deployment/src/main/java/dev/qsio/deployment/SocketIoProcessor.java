package dev.qsio.deployment;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.inject.Singleton;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

import dev.qsio.runtime.SocketIoRecorder;
import dev.qsio.runtime.config.SocketIoBuildTimeConfig;
import dev.qsio.runtime.cluster.ClusterConfigCustomizer;
import dev.qsio.runtime.cluster.ClusterLifecycle;
import dev.qsio.runtime.cluster.ClusterRecorder;
import dev.qsio.runtime.cluster.Identity;
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.cluster.RedisLink;
import dev.qsio.runtime.cluster.WorkerLink;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.WebSocketLimits;
import dev.qsio.runtime.server.HandlerDefinition;
import dev.qsio.runtime.server.SocketIoMetadata;
import dev.qsio.runtime.server.SocketIoServerImpl;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanDefiningAnnotationBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.InvokerFactoryBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.deployment.UnremovableBeanBuildItem;
import io.quarkus.arc.processor.BeanInfo;
import io.quarkus.arc.processor.BuiltinScope;
import io.quarkus.arc.processor.InvokerInfo;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.arc.deployment.BeanContainerBuildItem;
import io.quarkus.arc.deployment.SyntheticBeansRuntimeInitBuildItem;
import io.quarkus.deployment.annotations.Consume;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import dev.qsio.runtime.health.SocketIoLiveness;
import dev.qsio.runtime.health.SocketIoReadiness;
import dev.qsio.runtime.health.SocketIoStartup;
import dev.qsio.runtime.metrics.SocketIoMeters;
import io.quarkus.deployment.builditem.RunTimeConfigBuilderBuildItem;
import io.quarkus.deployment.builditem.ServiceStartBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.vertx.http.deployment.NonApplicationRootPathBuildItem;
import io.quarkus.vertx.http.deployment.RouteBuildItem;

/**
 * Builds the Socket.IO server of the application: finds namespaces and handler methods, validates them, generates
 * their invokers, and registers the routes.
 */
class SocketIoProcessor {

    static final String FEATURE = "socketio";

    /** Event names that clients cannot emit (the reference parser refuses them). */
    static final java.util.Set<String> RESERVED_EVENTS = java.util.Set.of("connect", "connect_error", "disconnect",
            "disconnecting", "newListener", "removeListener");

    /**
     * Handler methods choose where they run with {@code @Blocking}, {@code @NonBlocking} or {@code @RunOnVirtualThread};
     * Quarkus accepts these annotations only on entry points it knows of, so the handlers are declared as such.
     */
    @BuildStep
    io.quarkus.deployment.execannotations.ExecutionModelAnnotationsAllowedBuildItem handlersChooseTheirExecutionModel() {
        return new io.quarkus.deployment.execannotations.ExecutionModelAnnotationsAllowedBuildItem(method -> {
            for (org.jboss.jandex.DotName handler : DotNames.NAMESPACE_HANDLERS) {
                if (method.hasDeclaredAnnotation(handler)) {
                    return true;
                }
            }
            return method.hasDeclaredAnnotation(DotNames.ON_BROADCAST);
        });
    }

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    AdditionalBeanBuildItem runtimeBeans() {
        return AdditionalBeanBuildItem.builder()
                .addBeanClasses(EngineEndpoints.class, WebSocketLimits.class, SocketIoServerImpl.class, Identity.class,
                        Primary.class, WorkerLink.class, RedisLink.class, ClusterLifecycle.class)
                .setUnremovable()
                .build();
    }

    @BuildStep
    void beanDefiningAnnotations(BuildProducer<BeanDefiningAnnotationBuildItem> annotations) {
        annotations.produce(new BeanDefiningAnnotationBuildItem(DotNames.ENGINE_IO_ENDPOINT, BuiltinScope.SINGLETON.getName()));
        annotations.produce(new BeanDefiningAnnotationBuildItem(DotNames.SOCKET_IO, BuiltinScope.SINGLETON.getName()));
    }

    @BuildStep
    UnremovableBeanBuildItem handlerBeansStay() {
        return UnremovableBeanBuildItem.beanClassAnnotation(DotNames.SOCKET_IO);
    }

    @BuildStep
    UnremovableBeanBuildItem matchersStay() {
        return UnremovableBeanBuildItem.beanTypes(DotNames.NAMESPACE_MATCHER);
    }

    // ---- cluster

    /** The HTTP settings of the cluster roles (no listener in the primary, SO_REUSEPORT in workers). */
    @BuildStep
    RunTimeConfigBuilderBuildItem clusterRoleConfig() {
        return new RunTimeConfigBuilderBuildItem(ClusterConfigCustomizer.class);
    }

    /** Decides the role of the process and starts the primary or joins the cluster, before clients arrive. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    @Consume(SyntheticBeansRuntimeInitBuildItem.class)
    ServiceStartBuildItem clusterBootstrap(ClusterRecorder recorder, BeanContainerBuildItem beans) {
        recorder.bootstrap();
        return new ServiceStartBuildItem("socketio-cluster");
    }

    /** The cluster endpoints on the management interface: {@code /q/socketio/cluster}. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void clusterEndpoints(NonApplicationRootPathBuildItem paths, ClusterRecorder recorder,
            BuildProducer<RouteBuildItem> routes) {
        io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> handler = recorder.endpoint();
        routes.produce(paths.routeBuilder().management().route("socketio/cluster").handler(handler)
                .displayOnNotFoundPage("Socket.IO cluster").build());
        routes.produce(paths.routeBuilder().management().route("socketio/cluster/*").handler(handler).build());
    }

    // ---- health and metrics

    @BuildStep
    void healthChecks(SocketIoBuildTimeConfig config, BuildProducer<HealthBuildItem> checks) {
        checks.produce(new HealthBuildItem(SocketIoLiveness.class.getName(), config.healthEnabled()));
        checks.produce(new HealthBuildItem(SocketIoReadiness.class.getName(), config.healthEnabled()));
        checks.produce(new HealthBuildItem(SocketIoStartup.class.getName(), config.healthEnabled()));
    }

    @BuildStep
    void meters(SocketIoBuildTimeConfig config, Optional<MetricsCapabilityBuildItem> metrics,
            BuildProducer<AdditionalBeanBuildItem> beans) {
        if (config.metricsEnabled() && metrics.isPresent()
                && metrics.get().metricsSupported(MetricsFactory.MICROMETER)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(SocketIoMeters.class));
        }
    }

    // ---- raw Engine.IO endpoints

    @BuildStep
    void collectEngineEndpoints(CombinedIndexBuildItem index, SocketIoBuildTimeConfig config,
            BuildProducer<EngineEndpointBuildItem> endpoints, BuildProducer<AdditionalBeanBuildItem> beans) {
        IndexView view = index.getIndex();
        Map<String, String> byPath = new HashMap<>();
        byPath.put(Paths.normalize(config.path()), "the Socket.IO server (quarkus.socketio.path)");
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
                throw new IllegalStateException("@EngineIoEndpoint path " + path + " of " + type.name()
                        + " is already used by " + previous);
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

    // ---- Socket.IO

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void socketIoRoute(SocketIoBuildTimeConfig config, SocketIoRecorder recorder, BuildProducer<RouteBuildItem> routes) {
        String path = Paths.normalize(config.path());
        routes.produce(RouteBuildItem.builder()
                .route(path + "*")
                .handler(recorder.socketIoRoute(path, config.serveClient()))
                .build());
    }

    @BuildStep
    void collectHandlers(CombinedIndexBuildItem combined, BuildProducer<HandlerMethodBuildItem> handlers) {
        IndexView index = combined.getIndex();
        HandlerValidation validation = new HandlerValidation(index);

        // namespace handlers live in @SocketIO classes
        for (DotName annotation : DotNames.NAMESPACE_HANDLERS) {
            for (AnnotationInstance a : index.getAnnotations(annotation)) {
                if (a.target().kind() != AnnotationTarget.Kind.METHOD) {
                    continue;
                }
                MethodInfo method = a.target().asMethod();
                if (!method.declaringClass().hasDeclaredAnnotation(DotNames.SOCKET_IO)) {
                    throw HandlerValidation.problem(method, annotation.withoutPackagePrefix(),
                            "it is declared in a class without @SocketIO; handlers belong to a namespace class");
                }
            }
        }
        for (AnnotationInstance socketIo : index.getAnnotations(DotNames.SOCKET_IO)) {
            if (socketIo.target().kind() != AnnotationTarget.Kind.CLASS) {
                continue;
            }
            ClassInfo bean = socketIo.target().asClass();
            String[] namespace = namespaceOf(bean, socketIo);
            for (MethodInfo method : bean.methods()) {
                List<AnnotationInstance> found = new ArrayList<>();
                for (DotName annotation : DotNames.NAMESPACE_HANDLERS) {
                    AnnotationInstance a = method.declaredAnnotation(annotation);
                    if (a != null) {
                        found.add(a);
                    }
                }
                if (method.hasDeclaredAnnotation(DotNames.ON_BROADCAST)) {
                    found.add(method.declaredAnnotation(DotNames.ON_BROADCAST));
                }
                if (found.isEmpty() || (found.size() == 1 && found.get(0).name().equals(DotNames.ON_BROADCAST))) {
                    continue;
                }
                if (found.size() > 1) {
                    throw HandlerValidation.problem(method, found.get(0).name().withoutPackagePrefix(),
                            "it carries several handler annotations (" + found.stream()
                                    .map(x -> "@" + x.name().withoutPackagePrefix()).toList() + "); keep one");
                }
                AnnotationInstance a = found.get(0);
                String simple = a.name().withoutPackagePrefix();
                String kind = kindOf(a.name());
                checkModifiers(method, simple);
                String event = null;
                if (kind.equals("EVENT")) {
                    event = a.value().asString();
                    if (event.isEmpty()) {
                        throw HandlerValidation.problem(method, simple, "the event name is empty");
                    }
                    if (RESERVED_EVENTS.contains(event)) {
                        throw HandlerValidation.problem(method, simple, "'" + event + "' is reserved by the protocol and "
                                + "never reaches handlers; use @OnConnect or @OnDisconnect, or another name");
                    }
                }
                List<String> params = validation.params(method, kind, simple);
                String returns = validation.returns(method, kind, simple);
                handlers.produce(new HandlerMethodBuildItem(bean, method, kind, namespace[0], namespace[1], namespace[2],
                        event, params, returns, HandlerValidation.blocking(method, returns)));
            }
        }

        // @OnBroadcast methods may be on any bean
        for (AnnotationInstance a : index.getAnnotations(DotNames.ON_BROADCAST)) {
            if (a.target().kind() != AnnotationTarget.Kind.METHOD) {
                continue;
            }
            MethodInfo method = a.target().asMethod();
            for (DotName other : DotNames.NAMESPACE_HANDLERS) {
                if (method.hasDeclaredAnnotation(other)) {
                    throw HandlerValidation.problem(method, "OnBroadcast", "it also carries @"
                            + other.withoutPackagePrefix() + "; keep one");
                }
            }
            checkModifiers(method, "OnBroadcast");
            String event = a.value().asString();
            if (event.isEmpty()) {
                throw HandlerValidation.problem(method, "OnBroadcast", "the event name is empty");
            }
            AnnotationValue ns = a.value("namespace");
            String namespace = ns == null ? "/" : ns.asString();
            if (!namespace.startsWith("/")) {
                throw HandlerValidation.problem(method, "OnBroadcast", "namespace '" + namespace
                        + "' must start with '/'");
            }
            List<String> params = validation.params(method, "BROADCAST", "OnBroadcast");
            String returns = validation.returns(method, "BROADCAST", "OnBroadcast");
            handlers.produce(new HandlerMethodBuildItem(method.declaringClass(), method, "BROADCAST", namespace, "", "",
                    event, params, returns, HandlerValidation.blocking(method, returns)));
        }
    }

    private static String[] namespaceOf(ClassInfo bean, AnnotationInstance socketIo) {
        AnnotationValue value = socketIo.value();
        AnnotationValue pattern = socketIo.value("pattern");
        AnnotationValue matcher = socketIo.value("matcher");
        String name = value == null ? "/" : value.asString();
        String regex = pattern == null ? "" : pattern.asString();
        String matcherClass = matcher == null ? "" : matcher.asClass().name().toString();
        if (matcherClass.equals(DotNames.NAMESPACE_MATCHER.toString())) {
            matcherClass = "";
        }
        if (!regex.isEmpty() && !matcherClass.isEmpty()) {
            throw new IllegalStateException("@SocketIO on " + bean.name() + " sets both pattern and matcher; choose one");
        }
        if (!regex.isEmpty()) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalStateException("@SocketIO on " + bean.name() + " has an invalid pattern '" + regex + "': "
                        + e.getDescription());
            }
            return new String[] { regex, regex, "" };
        }
        if (!matcherClass.isEmpty()) {
            return new String[] { matcherClass, "", matcherClass };
        }
        if (!name.startsWith("/")) {
            throw new IllegalStateException("@SocketIO on " + bean.name() + " names namespace '" + name
                    + "', which must start with '/'");
        }
        return new String[] { name, "", "" };
    }

    private static String annotationOf(String kind) {
        return switch (kind) {
            case "CONNECT" -> "OnConnect";
            case "EVENT" -> "OnEvent";
            case "DISCONNECT" -> "OnDisconnect";
            case "ERROR" -> "OnError";
            case "MIDDLEWARE" -> "Middleware";
            default -> "OnBroadcast";
        };
    }

    private static String kindOf(DotName annotation) {
        if (annotation.equals(DotNames.ON_CONNECT)) {
            return "CONNECT";
        } else if (annotation.equals(DotNames.ON_EVENT)) {
            return "EVENT";
        } else if (annotation.equals(DotNames.ON_DISCONNECT)) {
            return "DISCONNECT";
        } else if (annotation.equals(DotNames.ON_ERROR)) {
            return "ERROR";
        } else if (annotation.equals(DotNames.MIDDLEWARE)) {
            return "MIDDLEWARE";
        }
        return "BROADCAST";
    }

    private static void checkModifiers(MethodInfo method, String annotation) {
        if (Modifier.isStatic(method.flags())) {
            throw HandlerValidation.problem(method, annotation, "it is static; handlers are methods of the bean instance");
        }
        if (Modifier.isPrivate(method.flags())) {
            throw HandlerValidation.problem(method, annotation, "it is private; make it package-private or public");
        }
    }

    @BuildStep
    void handlerBeansOfBroadcastsStay(List<HandlerMethodBuildItem> handlers, BuildProducer<UnremovableBeanBuildItem> keep) {
        List<String> classes = handlers.stream().map(h -> h.bean.name().toString()).distinct().toList();
        if (!classes.isEmpty()) {
            keep.produce(UnremovableBeanBuildItem.beanClassNames(classes.toArray(String[]::new)));
        }
    }

    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    void handlerMetadata(List<HandlerMethodBuildItem> handlers, BeanDiscoveryFinishedBuildItem beanDiscovery,
            InvokerFactoryBuildItem invokerFactory, SocketIoRecorder recorder,
            BuildProducer<SyntheticBeanBuildItem> syntheticBeans) {
        List<HandlerDefinition> definitions = new ArrayList<>();
        for (HandlerMethodBuildItem h : handlers) {
            BeanInfo bean = beanDiscovery.beanStream().classBeans().withBeanClass(h.bean.name()).firstResult()
                    .orElseThrow(() -> HandlerValidation.problem(h.method, annotationOf(h.kind),
                            "its class " + h.bean.name() + " is not a bean; add a scope such as @ApplicationScoped"));
            InvokerInfo invoker = invokerFactory.createInvoker(bean, h.method).withInstanceLookup().build();
            definitions.add(new HandlerDefinition(h.kind, h.namespace, h.pattern, h.matcher, h.event == null ? "" : h.event,
                    h.bean.name().toString(), h.method.name(), invoker.getClassName(), h.params, h.returns, h.blocking));
        }
        syntheticBeans.produce(SyntheticBeanBuildItem.configure(SocketIoMetadata.class)
                .scope(Singleton.class)
                .unremovable()
                .supplier(recorder.metadata(definitions))
                .done());
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
