package dev.qsio.runtime.handoff;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * The first line of an HTTP/1 request, read from the bytes a connection sent so far (RFC 9112, section 3:
 * {@code method SP request-target SP HTTP-version CRLF}), as the primary needs it to route the connection. A PROXY
 * protocol v1 header line in front of it is skipped.
 */
final class RequestLine {

    private static final byte[] PROXY_V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROXY_V2 = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };
    private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);

    private RequestLine() {
    }

    /** The request-target of the first request line in {@code bytes}, or null while it is not complete. */
    static String target(ByteBuf bytes) {
        int start = bytes.readerIndex();
        int end = bytes.writerIndex();
        if (startsWith(bytes, start, PROXY_V1)) {
            int eol = bytes.indexOf(start, end, (byte) '\n');
            if (eol < 0) {
                return null;
            }
            start = eol + 1;
        }
        int eol = bytes.indexOf(start, end, (byte) '\n');
        if (eol < 0) {
            return null;
        }
        int sp1 = bytes.indexOf(start, eol, (byte) ' ');
        if (sp1 < 0) {
            return "";
        }
        int sp2 = bytes.indexOf(sp1 + 1, eol, (byte) ' ');
        if (sp2 < 0) {
            return "";
        }
        return bytes.toString(sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether the bytes cannot begin an HTTP/1 request line: a TLS record, the HTTP/2 preface, a PROXY v2 header, or
     * anything that does not start with a token character. Such a connection is routed without reading on.
     */
    static boolean notHttp1(ByteBuf bytes) {
        int start = bytes.readerIndex();
        if (!bytes.isReadable()) {
            return false;
        }
        if (startsWith(bytes, start, HTTP2_PREFACE) || startsWith(bytes, start, PROXY_V2)) {
            return true;
        }
        byte first = bytes.getByte(start);
        return !(first >= 'A' && first <= 'Z');
    }

    /** The value of the {@code sid} query parameter of a request-target, or null. */
    static String sid(String target) {
        return param(target, "sid");
    }

    /** The value of query parameter {@code name} of a request-target (its first, not empty), or null. */
    static String param(String target, String name) {
        int q = target.indexOf('?');
        if (q < 0) {
            return null;
        }
        int n = name.length();
        int i = q + 1;
        while (i < target.length()) {
            int amp = target.indexOf('&', i);
            int end = amp < 0 ? target.length() : amp;
            if (end - i > n + 1 && target.startsWith(name, i) && target.charAt(i + n) == '=') {
                return target.substring(i + n + 1, end);
            }
            i = end + 1;
        }
        return null;
    }

    private static boolean startsWith(ByteBuf bytes, int at, byte[] prefix) {
        if (bytes.writerIndex() - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes.getByte(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
