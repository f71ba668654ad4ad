package dev.qsio.bench.ceiling;

/**
 * As much of Engine.IO and Socket.IO as the load generator needs, shared by the ceiling targets: the open packet,
 * the namespace CONNECT answer, and the five events (`pub`, `all`, `echo`, `join`, `whoami`) read without parsing
 * JSON.
 */
public final class CeilingProtocol {

    public static final String PID = Long.toString(ProcessHandle.current().pid());

    private CeilingProtocol() {
    }

    public static String open(String sid) {
        return "0{\"sid\":\"" + sid + "\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                + "\"maxPayload\":1000000}";
    }

    public static String connected(String sid) {
        return "40{\"sid\":\"" + sid + "\"}";
    }

    /** An event: its name, its acknowledgement id ("" for none), and the text after `["name",`. */
    public record Event(String name, String ackId, String rest) {

        /** The broadcast of a `pub` or an `all`: the same arguments as event `msg`. */
        public String broadcast() {
            return "42[\"msg\"," + rest;
        }

        /** The acknowledgement with this body inside its array (empty for none). */
        public String ack(String body) {
            return "43" + ackId + "[" + body + "]";
        }

        /** The acknowledgement of an `echo`: its own arguments. */
        public String echo() {
            return "43" + ackId + "[" + rest;
        }
    }

    /** The event in a text frame, or null for anything else (pongs, unknown packets). */
    public static Event event(String text) {
        if (!text.startsWith("42")) {
            return null;
        }
        int i = 2;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        String ackId = text.substring(2, i);
        for (String name : new String[] { "pub", "all", "echo", "join", "whoami" }) {
            String head = "[\"" + name + "\"";
            if (text.startsWith(head, i)) {
                int rest = i + head.length();
                if (rest < text.length() && text.charAt(rest) == ',') {
                    rest++;
                }
                return new Event(name, ackId, text.substring(rest));
            }
        }
        return null;
    }
}
