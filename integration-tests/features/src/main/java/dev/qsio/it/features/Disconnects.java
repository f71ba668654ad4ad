package dev.qsio.it.features;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/** The disconnect reasons the server saw, by socket id. */
@ApplicationScoped
public class Disconnects {

    private final Map<String, String> reasons = new ConcurrentHashMap<>();

    void record(String id, String reason) {
        reasons.put(id, reason);
    }

    public Map<String, String> all() {
        return reasons;
    }
}
