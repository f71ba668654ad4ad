package dev.qsio.runtime.server;

import java.util.LinkedHashSet;
import java.util.Set;

/** Room names given to the API: checked once, so that a missing name fails with a message that says so. */
final class Rooms {

    private Rooms() {
    }

    /** The names as a set; {@code method} names the call in the error when the array or a name is null. */
    static Set<String> named(String method, String... rooms) {
        if (rooms == null) {
            throw new IllegalArgumentException(method + "(...) needs room names, got null");
        }
        Set<String> names = new LinkedHashSet<>(rooms.length * 2);
        for (String room : rooms) {
            if (room == null) {
                throw new IllegalArgumentException(method + "(...) got a null room name (a room is a non-null string)");
            }
            names.add(room);
        }
        return names;
    }
}
