package dev.qsio.runtime.figures;

/**
 * A figure a server reports (a counter or a gauge), declared once as a constant of an enum of its layer
 * ({@code EngineFigure}, {@code ServerFigure}, ...): its key in the server's figures (what a worker reports to its
 * primary, what the cluster endpoint shows) and the meter it is published as. Metrics, readiness, the Dev UI and the
 * cluster endpoint read it through {@link Counts#get}, never by a string.
 */
public interface Figure {

    /** What an enum of figures passes for one of {@link #limit()}. */
    boolean LIMIT = true;

    /** The figure's key in its group of the server's figures (JSON). */
    String key();

    /** The meter it is published as, or null when it is not one. */
    Meter meter();

    /**
     * Whether it counts what a limit or a policy did to clients (refused, throttled, dropped, closed): the figures the
     * Admin UI's server stats list under {@code limits}, beside the metrics and the cluster endpoint that show all.
     */
    default boolean limit() {
        return false;
    }
}
