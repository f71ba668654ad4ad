package dev.qsio;

/**
 * The Socket.IO server of the application: inject it to emit from anywhere (REST resources, schedulers).
 * Operations on it apply to the main namespace {@code "/"}; {@link #of(String)} reaches the others.
 *
 * <pre>
 * &#64;Inject SocketIoServer io;
 * io.of("/chat").to("lobby").except("muted").timeout(Duration.ofSeconds(5)).emitWithAck("poll", question);
 * </pre>
 */
public interface SocketIoServer extends SocketIoNamespace {

    /**
     * The namespace with this name. A namespace without handlers may be created this way; clients can then
     * connect to it.
     */
    SocketIoNamespace of(String name);

    /**
     * Every namespace of this server whose name the regular expression (Java syntax) matches entirely, as one
     * selection: Node's parent namespace, {@code io.of(/regex/)}. Typically the pattern of a dynamic namespace
     * declaration ({@code @SocketIo(pattern = ...)}). An operation applies to each namespace that exists when it is
     * called, through that namespace's adapter (so its broadcasts reach the namespace's sockets on every worker and
     * host); a namespace known only to another server is not reached, as with Node's parent namespaces.
     */
    BroadcastOperator ofPattern(String regex);
}
