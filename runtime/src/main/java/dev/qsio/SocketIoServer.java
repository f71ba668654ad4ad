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
}
