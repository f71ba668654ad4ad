package dev.qsio.deployment;

import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.MethodInfo;

import io.quarkus.builder.item.MultiBuildItem;

/** A validated handler method, before its invoker exists. */
final class HandlerMethodBuildItem extends MultiBuildItem {

    final ClassInfo bean;
    final MethodInfo method;
    final String kind;
    final String namespace;
    final String pattern;
    final String matcher;
    final String event;
    final java.util.List<String> params;
    final String returns;
    final boolean blocking;

    HandlerMethodBuildItem(ClassInfo bean, MethodInfo method, String kind, String namespace, String pattern,
            String matcher, String event, java.util.List<String> params, String returns, boolean blocking) {
        this.bean = bean;
        this.method = method;
        this.kind = kind;
        this.namespace = namespace;
        this.pattern = pattern;
        this.matcher = matcher;
        this.event = event;
        this.params = params;
        this.returns = returns;
        this.blocking = blocking;
    }
}
