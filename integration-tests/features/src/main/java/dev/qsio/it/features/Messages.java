package dev.qsio.it.features;

import java.util.List;

/** The payloads of the feature application's events. */
public final class Messages {

    private Messages() {
    }

    public record RoomMessage(String room, String text) {
    }

    public record Receipt(int length, String upper) {
    }

    public record Chat(String text, List<String> tags) {
    }

    public record Sum(int total) {
    }
}
