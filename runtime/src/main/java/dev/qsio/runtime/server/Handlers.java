package dev.qsio.runtime.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The handler methods of the application, ready to call: those of each static namespace, those of dynamic
 * namespaces (by pattern or matcher), and the {@code @OnBroadcast} methods.
 */
final class Handlers {

    /** Handlers that serve every namespace name a pattern or matcher accepts. */
    record Dynamic(Pattern pattern, String matcherClass, NamespaceHandlers handlers) {
    }

    final Map<String, NamespaceHandlers> byNamespace = new HashMap<>();
    final List<Dynamic> dynamic = new ArrayList<>();
    final List<HandlerMethod> broadcast = new ArrayList<>();

    Handlers(List<HandlerDefinition> definitions, List<HandlerDefinition.NamespaceDeclaration> declared,
            ObjectMapper mapper) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Map<String, List<HandlerMethod>> groups = new LinkedHashMap<>();
        Map<String, HandlerDefinition.NamespaceDeclaration> declarations = new HashMap<>();
        // declarations first, so that one without handler methods still serves its namespace
        for (HandlerDefinition.NamespaceDeclaration d : declared) {
            groups.computeIfAbsent(d.group(), k -> new ArrayList<>());
            declarations.putIfAbsent(d.group(), d);
        }
        for (HandlerDefinition d : definitions) {
            HandlerMethod m = new HandlerMethod(d, mapper, loader);
            if (m.kind == HandlerDefinition.Kind.BROADCAST) {
                broadcast.add(m);
            } else {
                String group = d.namespace().group();
                groups.computeIfAbsent(group, k -> new ArrayList<>()).add(m);
                declarations.putIfAbsent(group, d.namespace());
            }
        }
        for (Map.Entry<String, List<HandlerMethod>> group : groups.entrySet()) {
            HandlerDefinition.NamespaceDeclaration d = declarations.get(group.getKey());
            NamespaceHandlers handlers = new NamespaceHandlers(group.getValue(), d.access());
            if (d.pattern() != null) {
                dynamic.add(new Dynamic(Pattern.compile(d.pattern()), null, handlers));
            } else if (d.matcher() != null) {
                dynamic.add(new Dynamic(null, d.matcher(), handlers));
            } else {
                byNamespace.put(d.name(), handlers);
            }
        }
    }

    /** The handlers of a name: its static declaration, or the first dynamic pattern it matches. */
    NamespaceHandlers of(String name) {
        NamespaceHandlers declared = byNamespace.get(name);
        if (declared != null) {
            return declared;
        }
        for (Dynamic d : dynamic) {
            if (d.pattern != null && d.pattern.matcher(name).matches()) {
                return d.handlers;
            }
        }
        return NamespaceHandlers.NONE;
    }
}
