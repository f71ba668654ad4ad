package dev.qsio.runtime.engine;

/**
 * JSON text written by hand where the shape is fixed and small (the open packet, the CONNECT answer): a handshake
 * pays for no JSON tree and no generator. Strings are escaped as JSON requires; ids, the common case, need none.
 */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** Appends {@code s} as a JSON string, quotes included. */
    public static StringBuilder appendString(StringBuilder sb, String s) {
        return appendString(sb, s, false);
    }

    /**
     * Appends {@code s} as a JSON string, quotes included; {@code inScript}: also safe inside an HTML script element
     * (JSONP), where the line and paragraph separators may not stand raw and {@code <} could close the element.
     */
    static StringBuilder appendString(StringBuilder sb, String s, boolean inScript) {
        sb.append('"');
        int plainFrom = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !(inScript && (c == '<' || c == '\u2028' || c == '\u2029'))) {
                continue;
            }
            sb.append(s, plainFrom, i);
            plainFrom = i + 1;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        return sb.append(s, plainFrom, s.length()).append('"');
    }
}
