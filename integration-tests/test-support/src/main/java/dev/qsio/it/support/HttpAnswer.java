package dev.qsio.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 answer read from a socket the test keeps open itself (a connection pinned to one worker, requests written
 * by hand), where the JDK's client would choose the connection: the status and the body, whether the body comes with a
 * {@code Content-Length}, in chunks, or up to the connection's end.
 */
public record HttpAnswer(int status, String body) {

    /** Reads the next answer on {@code in}: its head, then its body as the head says. */
    public static HttpAnswer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a response: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        for (String line : lines) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("content-length:")) {
                length = Long.parseLong(l.substring(15).trim());
            } else if (l.startsWith("transfer-encoding:") && l.contains("chunked")) {
                chunked = true;
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            int size;
            while ((size = Integer.parseInt(line(in).trim().split(";")[0], 16)) > 0) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            body = chunks.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
        } else if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new HttpAnswer(status, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
