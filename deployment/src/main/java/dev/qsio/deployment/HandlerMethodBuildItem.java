package dev.qsio.deployment;

import java.util.List;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.MethodInfo;

import dev.qsio.runtime.server.Access;
import dev.qsio.runtime.server.HandlerDefinition;
import io.quarkus.builder.item.MultiBuildItem;

/** A validated handler method, before its invoker exists. */
final class HandlerMethodBuildItem extends MultiBuildItem {

    final ClassInfo bean;
    final MethodInfo method;
    final HandlerDefinition.Kind kind;
    final HandlerDefinition.NamespaceDeclaration namespace;
    final String event;
    final List<HandlerDefinition.Param> params;
    final HandlerDefinition.Returns returns;
    final HandlerDefinition.ExecutionModel execution;
    /** Who may send the event ({@code @OnEvent}), or null. */
    final Access access;
    /** {@code @OnEvent(rateLimit = ...)}: the rate per connection (0 for none) and its burst. */
    final double ratePerSecond;
    final double rateBurst;

    HandlerMethodBuildItem(ClassInfo bean, MethodInfo method, HandlerDefinition.Kind kind,
            HandlerDefinition.NamespaceDeclaration namespace, String event, List<HandlerDefinition.Param> params,
            HandlerDefinition.Returns returns, HandlerDefinition.ExecutionModel execution, Access access,
            double ratePerSecond, double rateBurst) {
        this.access = access;
        this.ratePerSecond = ratePerSecond;
        this.rateBurst = rateBurst;
        this.bean = bean;
        this.method = method;
        this.kind = kind;
        this.namespace = namespace;
        this.event = event;
        this.params = params;
        this.returns = returns;
        this.execution = execution;
    }
}
