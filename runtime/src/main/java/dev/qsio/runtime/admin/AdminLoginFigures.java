package dev.qsio.runtime.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.qsio.runtime.config.AdminUiConfig;
import dev.qsio.runtime.figures.Counts;
import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.figures.FigureGroup;

/**
 * The Admin UI's login figures ({@link AdminLoginFigure}) as a group of the server's figures ({@code adminLogins}):
 * per worker in the cluster endpoint and in the primary's metrics; none when the Admin UI is off.
 */
@Singleton
public class AdminLoginFigures implements FigureGroup {

    @Inject
    AdminUi adminUi;

    @Inject
    AdminUiConfig config;

    @Override
    public String group() {
        return "adminLogins";
    }

    @Override
    public List<? extends Figure> figures() {
        return config.enabled() ? List.of(AdminLoginFigure.values()) : List.of();
    }

    @Override
    public Map<String, Long> values() {
        if (!config.enabled()) {
            return Map.of();
        }
        Counts<AdminLoginFigure> counts = adminUi.loginFigures();
        Map<String, Long> values = new LinkedHashMap<>();
        for (AdminLoginFigure f : AdminLoginFigure.values()) {
            values.put(f.key(), counts.get(f));
        }
        return values;
    }
}
