package dev.qsio.runtime.figures;

import java.util.List;

/**
 * How a figure is published to metrics: a counter or a gauge, its name, description and tags (besides the
 * {@code worker} tag every series carries).
 *
 * @param tags name and value pairs
 */
public record Meter(boolean gauge, String name, String description, List<String> tags) {

    public Meter {
        if (tags.size() % 2 != 0) {
            throw new IllegalArgumentException("tags come in name and value pairs: " + tags);
        }
        tags = List.copyOf(tags);
    }

    /** A monotonic counter. */
    public static Meter counter(String name, String description, String... tags) {
        return new Meter(false, name, description, List.of(tags));
    }

    /** A value that goes up and down. */
    public static Meter gauge(String name, String description, String... tags) {
        return new Meter(true, name, description, List.of(tags));
    }
}
