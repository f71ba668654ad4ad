package dev.qsio.runtime.admin;

import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.figures.Meter;

/**
 * The figures of the Admin UI's logins with a user name and password: the passwords checked (each one a bcrypt
 * check) and the logins refused, by reason.
 */
public enum AdminLoginFigure implements Figure {

    CHECKED("checked", Meter.counter("socketio.admin.logins.checked",
            "Admin UI passwords checked (one bcrypt check each)")),
    REFUSED_INVALID_CREDENTIALS("refusedInvalidCredentials", Meter.counter("socketio.admin.logins.refused",
            "Admin UI logins refused", "reason", "invalid-credentials")),
    REFUSED_RATE_LIMITED("refusedRateLimited", Meter.counter("socketio.admin.logins.refused",
            "Admin UI logins refused", "reason", "rate-limited"), LIMIT),
    REFUSED_BUSY("refusedBusy", Meter.counter("socketio.admin.logins.refused", "Admin UI logins refused",
            "reason", "busy"), LIMIT);

    private final String key;
    private final Meter meter;
    private final boolean limit;

    AdminLoginFigure(String key, Meter meter) {
        this(key, meter, false);
    }

    AdminLoginFigure(String key, Meter meter, boolean limit) {
        this.key = key;
        this.meter = meter;
        this.limit = limit;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Meter meter() {
        return meter;
    }

    @Override
    public boolean limit() {
        return limit;
    }
}
