package dev.qsio.runtime.wire;

import java.util.List;

import dev.qsio.runtime.figures.Figure;

/**
 * A wire between hosts as {@code Wires} registers it: its name, chosen by {@code quarkus.socketio.bus=<name>}, and how
 * to make it. Adding a wire is one package (this provider, its {@link Wire}, its configuration group
 * {@code quarkus.socketio.<name>.*}), its name among the values of {@code quarkus.socketio.bus}, and one line in
 * {@code Wires}.
 */
public interface WireProvider {

    /**
     * The value of {@code quarkus.socketio.bus} that chooses this wire; also the key of its figures in the cluster
     * endpoint and the middle of its meters' names ({@code socketio.<name>.up}).
     */
    String name();

    /** Its name for people, in log lines and the readiness ({@code Redis}). */
    String displayName();

    /**
     * Whether its {@link Wire#sessionStore()} keeps connection state recovery's sessions where every server of the
     * fleet finds them: only then may recovery be on in a cluster.
     */
    boolean keepsSessions();

    /**
     * Whether a server is not ready while it cannot reach this wire (its configuration says, as
     * {@code quarkus.socketio.redis.readiness} does); called in every process, the primary's readiness included.
     */
    boolean readinessRequiresUp(WireContext context);

    /**
     * Makes this server's wire, without connecting yet ({@link Wire#start()} does). A wrong configuration fails here or
     * in {@link Wire#start()} with a {@code ConfigurationException} naming the key.
     */
    Wire create(WireContext context);

    /**
     * Figures of this wire beyond those every wire reports ({@link WireFigures}), which its {@link Wire#figures()}
     * fills in {@link WireFigures#own()} under each one's key: PostgreSQL counts the notifications it published and the
     * transactions that carried them. Published as their meters in every process, the primary included.
     */
    default List<Figure> figures() {
        return List.of();
    }

    /**
     * An emitter's publisher on this wire ({@code quarkus.socketio.emitter.bus=<name>}, {@code dev.qsio.SocketIoEmitter}):
     * for an application that serves no sockets, the messages of Node's emitter or adapter for the same service, read by
     * every server of the fleet, Node's included. Not connected yet ({@link WireEmitter#start()}); a configuration it
     * cannot work with fails with a {@code ConfigurationException} naming the key.
     */
    WireEmitter emitter(WireContext context);
}
