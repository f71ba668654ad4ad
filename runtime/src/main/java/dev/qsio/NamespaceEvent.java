package dev.qsio;

/**
 * A namespace was created on this server after it started (Node's {@code io.on("new_namespace", namespace => ...)}):
 * by {@code io.of(name)}, or as the child of a dynamic declaration ({@code @SocketIo(pattern = ...)} or a
 * {@link NamespaceMatcher}) that a client's CONNECT made. Fired as a CDI event when the application observes it:
 *
 * <pre>
 * void created(&#64;Observes NamespaceEvent event) {
 *     log.infof("namespace %s (%s)", event.namespace(), event.dynamic() ? "dynamic" : "declared");
 * }
 * </pre>
 *
 * The namespaces the application declares with {@code @SocketIo(name)} exist from the start and are not reported. A
 * dynamic namespace that is forgotten when empty ({@code quarkus.socketio.cleanup-empty-child-namespaces}) and made
 * again is reported again. Local to each server, as in Node. Observers run synchronously on the thread that made the
 * namespace (often an event loop) and must not block; without an observer nothing is fired.
 *
 * @param namespace the namespace's name
 * @param dynamic whether it is the child of a dynamic declaration
 */
public record NamespaceEvent(String namespace, boolean dynamic) {
}
