package dev.qsio.runtime.postgres;

import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.figures.Meter;

/** The figures of the PostgreSQL wire beyond those every wire reports: what its publishing costs PostgreSQL. */
enum PostgresFigure implements Figure {

    NOTIFICATIONS("notifications", Meter.counter("socketio.postgres.notifications", "Notifications published")),
    TRANSACTIONS("transactions", Meter.counter("socketio.postgres.transactions",
            "Transactions that published them (one carries every notification queued meanwhile)"));

    private final String key;
    private final Meter meter;

    PostgresFigure(String key, Meter meter) {
        this.key = key;
        this.meter = meter;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Meter meter() {
        return meter;
    }
}
