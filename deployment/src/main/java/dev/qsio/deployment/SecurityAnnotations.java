package dev.qsio.deployment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.MethodInfo;

import dev.qsio.runtime.server.Access;
import dev.qsio.runtime.server.HandlerDefinition;

/**
 * Reads the Quarkus Security annotations of {@code @SocketIo} classes and handler methods into {@link Access}
 * rules, and refuses them where they cannot act: on a class they guard the namespace's CONNECT (and every event
 * without its own rule), on an {@code @OnEvent} method that event; elsewhere (a disconnection, an error, a
 * broadcast, middleware) there is nothing to refuse.
 */
final class SecurityAnnotations {

    static final DotName AUTHENTICATED = DotName.createSimple("io.quarkus.security.Authenticated");
    static final DotName ROLES_ALLOWED = DotName.createSimple("jakarta.annotation.security.RolesAllowed");
    static final DotName PERMIT_ALL = DotName.createSimple("jakarta.annotation.security.PermitAll");
    static final DotName DENY_ALL = DotName.createSimple("jakarta.annotation.security.DenyAll");
    static final DotName PERMISSIONS_ALLOWED = DotName.createSimple("io.quarkus.security.PermissionsAllowed");
    static final DotName PERMISSIONS_ALLOWED_LIST = DotName.createSimple("io.quarkus.security.PermissionsAllowed$List");
    static final DotName SECURITY_IDENTITY = DotName.createSimple("io.quarkus.security.identity.SecurityIdentity");
    private static final List<DotName> ALL = List.of(AUTHENTICATED, ROLES_ALLOWED, PERMIT_ALL, DENY_ALL,
            PERMISSIONS_ALLOWED, PERMISSIONS_ALLOWED_LIST);

    private SecurityAnnotations() {
    }

    /** The rule a class declares, or null. */
    static Access of(ClassInfo type) {
        return of(type.declaredAnnotations().stream().filter(a -> a.target().kind() == AnnotationTarget.Kind.CLASS)
                .toList(), "@SocketIo class " + type.name());
    }

    /** The rule a method declares, or null. */
    static Access of(MethodInfo method) {
        return of(method.declaredAnnotations().stream().filter(a -> a.target().kind() == AnnotationTarget.Kind.METHOD)
                .toList(), "method " + method.declaringClass().name() + "#" + method.name());
    }

    /**
     * The rule an annotated handler method gets: its own, else its class's for {@code @OnEvent} methods; a rule on
     * a method that cannot refuse anything is a build problem.
     */
    static Access forHandler(MethodInfo method, HandlerDefinition.Kind kind, String annotation, Access classRule) {
        Access own = of(method);
        if (own != null && kind != HandlerDefinition.Kind.EVENT) {
            throw HandlerValidation.problem(method, annotation, "it carries a Quarkus Security annotation (" + own.rule()
                    + "), which has nothing to refuse on a @" + annotation + " method; put it on the @SocketIo class "
                    + "(checked when a client connects to the namespace) or on @OnEvent methods");
        }
        if (kind == HandlerDefinition.Kind.EVENT) {
            return own != null ? own : classRule;
        }
        return null;
    }

    private static Access of(List<AnnotationInstance> annotations, String where) {
        List<AnnotationInstance> found = annotations.stream().filter(a -> ALL.contains(a.name())).toList();
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw new HandlerValidation.Problem("The " + where + " carries several Quarkus Security annotations ("
                    + found.stream().map(a -> "@" + a.name().withoutPackagePrefix()).toList() + "); keep one");
        }
        AnnotationInstance a = found.get(0);
        DotName name = a.name();
        if (name.equals(AUTHENTICATED)) {
            return new Access(Access.Rule.AUTHENTICATED, List.of());
        }
        if (name.equals(PERMIT_ALL)) {
            return new Access(Access.Rule.PERMIT_ALL, List.of());
        }
        if (name.equals(DENY_ALL)) {
            return new Access(Access.Rule.DENY_ALL, List.of());
        }
        if (name.equals(ROLES_ALLOWED)) {
            AnnotationValue v = a.value();
            List<String> roles = v == null ? List.of() : Arrays.asList(v.asStringArray());
            return new Access(roles.isEmpty() ? Access.Rule.DENY_ALL : Access.Rule.ROLES, roles);
        }
        if (name.equals(PERMISSIONS_ALLOWED_LIST)) {
            throw new HandlerValidation.Problem("The " + where + " repeats @PermissionsAllowed; on sockets one "
                    + "@PermissionsAllowed with several values (any of which suffices) is supported");
        }
        if (a.value("permission") != null || (a.value("inclusive") != null && a.value("inclusive").asBoolean())
                || a.value("params") != null) {
            throw new HandlerValidation.Problem("The " + where + " uses @PermissionsAllowed with a custom permission "
                    + "class, inclusive or params; on sockets the string permissions ('name' or 'name:action', any of "
                    + "which suffices) are supported");
        }
        List<String> permissions = new ArrayList<>(Arrays.asList(a.value().asStringArray()));
        return new Access(Access.Rule.PERMISSIONS, permissions);
    }
}
