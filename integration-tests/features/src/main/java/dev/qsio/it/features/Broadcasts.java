package dev.qsio.it.features;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.BroadcastContext;
import dev.qsio.OnBroadcast;

/** Remembers the broadcasts of "everyone" that this server saw. */
@ApplicationScoped
public class Broadcasts {

    public record Seen(JsonNode data, BroadcastContext context) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @OnBroadcast("everyone")
    void everyone(JsonNode data, BroadcastContext context) {
        seen.add(new Seen(data, context));
    }

    public List<Seen> seen() {
        return seen;
    }
}
