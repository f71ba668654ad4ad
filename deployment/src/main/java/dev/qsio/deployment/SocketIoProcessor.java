package dev.qsio.deployment;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

import dev.qsio.EngineIoHandler;
import dev.qsio.runtime.Settings;
import dev.qsio.runtime.SocketIoRecorder;
import dev.qsio.runtime.admin.AdminLoginFigures;
import dev.qsio.runtime.admin.AdminUi;
import dev.qsio.runtime.admin.AdminUiRecorder;
import dev.qsio.runtime.cluster.ClusterBus;
import dev.qsio.runtime.cluster.ClusterConfigCustomizer;
import dev.qsio.runtime.cluster.ClusterLifecycle;
import dev.qsio.runtime.http.HeaderTimeouts;
import dev.qsio.runtime.cluster.ClusterRecorder;
import dev.qsio.runtime.cluster.Identity;
import dev.qsio.runtime.cluster.Primary;
import dev.qsio.runtime.cluster.ProcessRoles;
import dev.qsio.runtime.cluster.Worker;
import dev.qsio.runtime.config.KubernetesConfig;
import dev.qsio.runtime.config.SocketIoBuildTimeConfig;
import dev.qsio.runtime.emitter.Emitters;
import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.WebSocketLimits;
import dev.qsio.runtime.health.SocketIoLiveness;
import dev.qsio.runtime.health.SocketIoReadiness;
import dev.qsio.runtime.health.SocketIoStartup;
import dev.qsio.runtime.metrics.SocketIoMeters;
import dev.qsio.runtime.tracing.TracingSetup;
import dev.qsio.runtime.server.Access;
import dev.qsio.runtime.server.HandlerDefinition;
import dev.qsio.runtime.server.ServerSetup;
import dev.qsio.runtime.server.SocketIoMetadata;
import dev.qsio.runtime.server.SocketIoServerImpl;
import dev.qsio.runtime.server.WarmUp;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanContainerBuildItem;
import io.quarkus.arc.deployment.BeanDefiningAnnotationBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.InvokerFactoryBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.deployment.SyntheticBeansRuntimeInitBuildItem;
import io.quarkus.arc.deployment.UnremovableBeanBuildItem;
import io.quarkus.arc.processor.BeanInfo;
import io.quarkus.arc.processor.BuiltinScope;
import io.quarkus.arc.processor.InvokerInfo;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.Produce;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.Consume;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.logging.LoggingSetupBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.CombinedIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigBuilderBuildItem;
import io.quarkus.deployment.builditem.ServiceStartBuildItem;
import io.quarkus.deployment.builditem.ShutdownListenerBuildItem;
import io.quarkus.deployment.execannotations.ExecutionModelAnnotationsAllowedBuildItem;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;
import io.quarkus.smallrye.health.deployment.spi.HealthBuildItem;
import io.quarkus.vertx.http.deployment.NonApplicationRootPathBuildItem;
import io.quarkus.vertx.http.deployment.FilterBuildItem;
import io.quarkus.vertx.http.deployment.RouteBuildItem;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Builds the Socket.IO server of the application: finds namespaces and handler methods, validates them, generates
 * their invokers, and registers the routes.
 */
class SocketIoProcessor {

    static final String FEATURE = "socketio";

    /** Event names that clients cannot emit (the reference parser refuses them). */
    static final Set<String> RESERVED_EVENTS = Set.of("connect", "connect_error", "disconnect",
            "disconnecting", "newListener", "removeListener");

    /**
     * Handler methods choose where they run with {@code @Blocking}, {@code @NonBlocking} or {@code @RunOnVirtualThread};
     * Quarkus accepts these annotations only on entry points it knows of, so the handlers are declared as such.
     */
    @BuildStep
    ExecutionModelAnnotationsAllowedBuildItem handlersChooseTheirExecutionModel() {
        return new ExecutionModelAnnotationsAllowedBuildItem(method -> {
            for (DotName handler : DotNames.NAMESPACE_HANDLERS) {
                if (method.hasDeclaredAnnotation(handler)) {
                    return true;
                }
            }
            return method.hasDeclaredAnnotation(DotNames.ON_BROADCAST);
        });
    }

    @BuildStep
    FeatureBuildItem feature(SocketIoBuildTimeConfig build, KubernetesConfig kubernetes) {
        // every build-time setting checked before anything reads one: a bad value fails the build naming its key
        Config config = ConfigProvider.getConfig();
        Settings.checkBuildTime(build, kubernetes, key -> config.getConfigValue(key).getRawValue());
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    AdditionalBeanBuildItem runtimeBeans() {
        return AdditionalBeanBuildItem.builder()
                .addBeanClasses(EngineEndpoints.class, WebSocketLimits.class, SocketIoServerImpl.class, ServerSetup.class,
                        Identity.class, Primary.class, Worker.class, ProcessRoles.class, ClusterBus.class, ClusterLifecycle.class,
                        HeaderTimeouts.class, AdminUi.class, AdminLoginFigures.class, Emitters.class, WarmUp.class)
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

    /** The HTTP settings of the cluster roles (no Quarkus listener in the primary, which routes the public port; loopback ports in workers). */
    @BuildStep
    RunTimeConfigBuilderBuildItem clusterRoleConfig() {
        return new RunTimeConfigBuilderBuildItem(ClusterConfigCustomizer.class);
    }

    /** Every runtime setting checked before anything reads one: a bad value fails startup naming its key. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    @Produce(SettingsCheckedBuildItem.class)
    void checkSettings(SocketIoRecorder recorder) {
        recorder.checkSettings();
    }

    /** Decides the role of the process and starts the primary or joins the cluster, before clients arrive. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    @Consume(SyntheticBeansRuntimeInitBuildItem.class)
    @Consume(LoggingSetupBuildItem.class)
    @Consume(SettingsCheckedBuildItem.class)
    ServiceStartBuildItem clusterBootstrap(ClusterRecorder recorder, BeanContainerBuildItem beans) {
        recorder.bootstrap();
        return new ServiceStartBuildItem("socketio-cluster");
    }

    /**
     * The primary's address in the line Quarkus logs once started. Quarkus writes that line's listeners when it opens
     * its sockets ({@code VertxHttpProcessor.openSocket}, whose only product is reflective classes): consuming them
     * orders this after it.
     */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    @Consume(ReflectiveClassBuildItem.class)
    void announcePrimaryListening(ClusterRecorder recorder, BeanContainerBuildItem beans) {
        recorder.announceListening();
    }

    /** A process that serves clients closes its sessions before Quarkus closes its HTTP server (DrainFirst). */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    ShutdownListenerBuildItem drainFirst(ClusterRecorder recorder) {
        return new ShutdownListenerBuildItem(recorder.drainFirst());
    }

    /** The cluster endpoints on the management interface: {@code /q/socketio/cluster}. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void clusterEndpoints(NonApplicationRootPathBuildItem paths, ClusterRecorder recorder,
            BuildProducer<RouteBuildItem> routes) {
        Handler<RoutingContext> handler = recorder.endpoint();
        routes.produce(paths.routeBuilder().management().route("socketio/cluster").handler(handler)
                .displayOnNotFoundPage("Socket.IO cluster").build());
        routes.produce(paths.routeBuilder().management().route("socketio/cluster/*").handler(handler).build());
    }

    /**
     * The application's reactive PostgreSQL pools stay, even when nothing of the application injects them:
     * {@code quarkus.socketio.bus=postgres} looks one up at startup.
     */
    @BuildStep
    void postgresPoolsStay(Capabilities capabilities, BuildProducer<UnremovableBeanBuildItem> unremovable) {
        if (capabilities.isPresent(Capability.REACTIVE_PG_CLIENT)) {
            unremovable.produce(UnremovableBeanBuildItem.beanTypes(DotName.createSimple("io.vertx.sqlclient.Pool")));
        }
    }

    /** The Socket.IO Admin UI's page on the management interface: {@code /q/socketio/admin/}. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void adminUi(SocketIoBuildTimeConfig config, NonApplicationRootPathBuildItem paths, AdminUiRecorder recorder,
            BeanContainerBuildItem beans, BuildProducer<RouteBuildItem> routes) {
        Handler<RoutingContext> page = recorder.page(Paths.normalize(config.path()));
        routes.produce(paths.routeBuilder().management().route("socketio/admin").handler(page)
                .displayOnNotFoundPage("Socket.IO Admin UI").build());
        routes.produce(paths.routeBuilder().management().route("socketio/admin/*").handler(page).build());
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

    /** Spans of connections, handlers and emits, across servers, when the application has quarkus-opentelemetry. */
    @BuildStep
    void tracing(Capabilities capabilities, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (capabilities.isPresent(Capability.OPENTELEMETRY_TRACER)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(TracingSetup.class));
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

    /** Before every other filter: the request's head is complete when Vert.x hands it over. */
    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void headerTimeout(SocketIoRecorder recorder, BuildProducer<FilterBuildItem> filters) {
        // before the filters of Quarkus (CORS 300, authentication 200) and of extensions, which may end a request
        filters.produce(new FilterBuildItem(recorder.headerTimeout(), 10_000));
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
    void collectHandlers(CombinedIndexBuildItem combined, BuildProducer<HandlerMethodBuildItem> handlers,
            BuildProducer<NamespaceDeclarationBuildItem> declarations) {
        IndexView index = combined.getIndex();
        HandlerValidation validation = new HandlerValidation(index);
        // every problem of the build is reported at once, each naming its class and method
        List<String> problems = new ArrayList<>();
        Map<String, String> accessByNamespace = new HashMap<>();

        // namespace handlers live in @SocketIo classes
        for (DotName annotation : DotNames.NAMESPACE_HANDLERS) {
            for (AnnotationInstance a : index.getAnnotations(annotation)) {
                if (a.target().kind() != AnnotationTarget.Kind.METHOD) {
                    continue;
                }
                MethodInfo method = a.target().asMethod();
                if (!method.declaringClass().hasDeclaredAnnotation(DotNames.SOCKET_IO)) {
                    problems.add(HandlerValidation.problem(method, annotation.withoutPackagePrefix(),
                            "it is declared in a class without @SocketIo; handlers belong to a namespace class").getMessage());
                }
            }
        }
        for (AnnotationInstance socketIo : index.getAnnotations(DotNames.SOCKET_IO)) {
            if (socketIo.target().kind() != AnnotationTarget.Kind.CLASS) {
                continue;
            }
            ClassInfo bean = socketIo.target().asClass();
            HandlerDefinition.NamespaceDeclaration namespace;
            try {
                namespace = namespaceOf(bean, socketIo).withAccess(SecurityAnnotations.of(bean));
            } catch (HandlerValidation.Problem e) {
                problems.add(e.getMessage());
                continue;
            }
            // the classes of one namespace agree on who may connect to it
            String declared = accessByNamespace.putIfAbsent(namespace.group(), String.valueOf(namespace.access()));
            if (declared != null && !declared.equals(String.valueOf(namespace.access()))) {
                problems.add("@SocketIo on " + bean.name() + " declares " + namespace + " with Quarkus Security rule "
                        + namespace.access() + " where another class of that namespace has " + declared
                        + "; the classes of one namespace must agree (or only one carries the annotation)");
            }
            // a class without handler methods still declares its namespace, as Node's io.of(name) does
            declarations.produce(new NamespaceDeclarationBuildItem(namespace));
            // in declaration order (methods() is sorted by name): middleware runs, and the handlers of one event are
            // called, in the order the class declares them
            for (MethodInfo method : bean.unsortedMethods()) {
                try {
                    HandlerMethodBuildItem handler = namespaceHandler(validation, bean, namespace, method);
                    if (handler != null) {
                        handlers.produce(handler);
                    }
                } catch (HandlerValidation.Problem e) {
                    problems.add(e.getMessage());
                }
            }
        }

        // @OnBroadcast methods may be on any bean
        for (AnnotationInstance a : index.getAnnotations(DotNames.ON_BROADCAST)) {
            if (a.target().kind() != AnnotationTarget.Kind.METHOD) {
                continue;
            }
            try {
                handlers.produce(broadcastHandler(validation, a));
            } catch (HandlerValidation.Problem e) {
                problems.add(e.getMessage());
            }
        }
        reportProblems(problems);
    }

    /** Fails the build with every problem found, each on its own line. */
    private static void reportProblems(List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        if (problems.size() == 1) {
            throw new IllegalStateException(problems.get(0));
        }
        throw new IllegalStateException(problems.size() + " Socket.IO handler problems:\n- " + String.join("\n- ", problems));
    }

    /** The handler a method of a @SocketIo class declares, or null when it is not one. */
    private static HandlerMethodBuildItem namespaceHandler(HandlerValidation validation, ClassInfo bean,
            HandlerDefinition.NamespaceDeclaration namespace, MethodInfo method) {
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
            return null;
        }
        if (found.size() > 1) {
            throw HandlerValidation.problem(method, found.get(0).name().withoutPackagePrefix(),
                    "it carries several handler annotations (" + found.stream()
                            .map(x -> "@" + x.name().withoutPackagePrefix()).toList() + "); keep one");
        }
        AnnotationInstance a = found.get(0);
        String simple = a.name().withoutPackagePrefix();
        HandlerDefinition.Kind kind = kindOf(a.name());
        checkModifiers(method, simple);
        String event = null;
        double[] rate = { 0, 0 };
        if (kind == HandlerDefinition.Kind.EVENT) {
            rate = rateLimit(method, a);
            event = a.value().asString();
            if (event.isEmpty()) {
                throw HandlerValidation.problem(method, simple, "the event name is empty");
            }
            if (RESERVED_EVENTS.contains(event)) {
                throw HandlerValidation.problem(method, simple, "'" + event + "' is reserved by the protocol and "
                        + "never reaches handlers; use @OnConnect or @OnDisconnect, or another name");
            }
        }
        List<HandlerDefinition.Param> params = validation.params(method, kind, simple);
        HandlerDefinition.Returns returns = validation.returns(method, kind, simple);
        Access access = SecurityAnnotations.forHandler(method, kind, simple, namespace.access());
        return new HandlerMethodBuildItem(bean, method, kind, namespace, event, params, returns,
                HandlerValidation.execution(method, returns, simple), access, rate[0], rate[1]);
    }

    /** {@code @OnEvent(rateLimit = @RateLimit(...))}: the rate (0 for none) and the burst, checked. */
    private static double[] rateLimit(MethodInfo method, AnnotationInstance onEvent) {
        AnnotationValue v = onEvent.value("rateLimit");
        if (v == null) {
            return new double[] { 0, 0 };
        }
        AnnotationInstance limit = v.asNested();
        double perSecond = limit.value("perSecond").asDouble();
        AnnotationValue b = limit.value("burst");
        int burst = b == null ? 0 : b.asInt();
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw HandlerValidation.problem(method, "OnEvent", "rateLimit's perSecond must be 0 (no limit) or more, got "
                    + perSecond);
        }
        if (burst < 0) {
            throw HandlerValidation.problem(method, "OnEvent", "rateLimit's burst must be 0 (the rate rounded up) or more, got "
                    + burst);
        }
        if (perSecond == 0) {
            return new double[] { 0, 0 };
        }
        return new double[] { perSecond, burst > 0 ? burst : Math.max(1, Math.ceil(perSecond)) };
    }

    private static HandlerMethodBuildItem broadcastHandler(HandlerValidation validation, AnnotationInstance a) {
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
            throw HandlerValidation.problem(method, "OnBroadcast", "namespace '" + namespace + "' must start with '/'");
        }
        List<HandlerDefinition.Param> params = validation.params(method, HandlerDefinition.Kind.BROADCAST, "OnBroadcast");
        HandlerDefinition.Returns returns = validation.returns(method, HandlerDefinition.Kind.BROADCAST, "OnBroadcast");
        SecurityAnnotations.forHandler(method, HandlerDefinition.Kind.BROADCAST, "OnBroadcast", null);
        return new HandlerMethodBuildItem(method.declaringClass(), method, HandlerDefinition.Kind.BROADCAST,
                HandlerDefinition.NamespaceDeclaration.named(namespace), event, params, returns,
                HandlerValidation.execution(method, returns, "OnBroadcast"), null, 0, 0);
    }

    private static HandlerDefinition.NamespaceDeclaration namespaceOf(ClassInfo bean, AnnotationInstance socketIo) {
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
            throw HandlerValidation.problem(bean, "sets both pattern and matcher; choose one");
        }
        if (!regex.isEmpty()) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw HandlerValidation.problem(bean, "has an invalid pattern '" + regex + "': " + e.getDescription());
            }
            return new HandlerDefinition.NamespaceDeclaration(null, regex, null, null);
        }
        if (!matcherClass.isEmpty()) {
            return new HandlerDefinition.NamespaceDeclaration(null, null, matcherClass, null);
        }
        if (!name.startsWith("/")) {
            throw HandlerValidation.problem(bean, "names namespace '" + name + "', which must start with '/'");
        }
        return HandlerDefinition.NamespaceDeclaration.named(name);
    }

    private static String annotationOf(HandlerDefinition.Kind kind) {
        return switch (kind) {
            case CONNECT -> "OnConnect";
            case EVENT -> "OnEvent";
            case ANY_EVENT -> "OnAnyEvent";
            case DISCONNECTING -> "OnDisconnecting";
            case DISCONNECT -> "OnDisconnect";
            case ERROR -> "OnError";
            case MIDDLEWARE -> "Middleware";
            case BROADCAST -> "OnBroadcast";
        };
    }

    private static HandlerDefinition.Kind kindOf(DotName annotation) {
        if (annotation.equals(DotNames.ON_CONNECT)) {
            return HandlerDefinition.Kind.CONNECT;
        } else if (annotation.equals(DotNames.ON_EVENT)) {
            return HandlerDefinition.Kind.EVENT;
        } else if (annotation.equals(DotNames.ON_ANY_EVENT)) {
            return HandlerDefinition.Kind.ANY_EVENT;
        } else if (annotation.equals(DotNames.ON_DISCONNECTING)) {
            return HandlerDefinition.Kind.DISCONNECTING;
        } else if (annotation.equals(DotNames.ON_DISCONNECT)) {
            return HandlerDefinition.Kind.DISCONNECT;
        } else if (annotation.equals(DotNames.ON_ERROR)) {
            return HandlerDefinition.Kind.ERROR;
        } else if (annotation.equals(DotNames.MIDDLEWARE)) {
            return HandlerDefinition.Kind.MIDDLEWARE;
        }
        return HandlerDefinition.Kind.BROADCAST;
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
    void handlerMetadata(List<HandlerMethodBuildItem> handlers, List<NamespaceDeclarationBuildItem> declarations,
            BeanDiscoveryFinishedBuildItem beanDiscovery,
            InvokerFactoryBuildItem invokerFactory, SocketIoRecorder recorder,
            BuildProducer<SyntheticBeanBuildItem> syntheticBeans) {
        List<HandlerDefinition> definitions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (HandlerMethodBuildItem h : handlers) {
            BeanInfo bean = beanDiscovery.beanStream().classBeans().withBeanClass(h.bean.name()).firstResult().orElse(null);
            if (bean == null) {
                problems.add(HandlerValidation.problem(h.method, annotationOf(h.kind), "its class " + h.bean.name()
                        + " is not a bean; add a scope such as @ApplicationScoped").getMessage());
                continue;
            }
            InvokerInfo invoker = invokerFactory.createInvoker(bean, h.method).withInstanceLookup().build();
            definitions.add(new HandlerDefinition(h.kind, h.namespace, h.event, h.bean.name().toString(), h.method.name(),
                    invoker.getClassName(), h.params, h.returns, h.execution, h.access, h.ratePerSecond, h.rateBurst));
        }
        reportProblems(problems);
        syntheticBeans.produce(SyntheticBeanBuildItem.configure(SocketIoMetadata.class)
                .scope(Singleton.class)
                .unremovable()
                .supplier(recorder.metadata(definitions, declarations.stream().map(d -> d.declaration).toList()))
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
