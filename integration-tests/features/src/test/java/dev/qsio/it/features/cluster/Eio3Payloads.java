package dev.qsio.it.features.cluster;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Engine.IO revision 3 polling payloads as a 2.x client reads and writes them, for raw tests: text packets
 * ({@code <length>:<packet>}) and binary payloads ({@code <0|1><length digits>255<packet>}).
 */
final class Eio3Payloads {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Eio3Payloads() {
    }

    /** The packets of a payload: strings for text packets, bytes (type byte first) for binary ones. */
    static List<Object> decode(byte[] payload, boolean binary) {
        List<Object> out = new ArrayList<>();
        if (!binary) {
            String text = new String(payload, StandardCharsets.UTF_8);
            int i = 0;
            while (i < text.length()) {
                int colon = text.indexOf(':', i);
                int length = Integer.parseInt(text.substring(i, colon));
                out.add(text.substring(colon + 1, colon + 1 + length));
                i = colon + 1 + length;
            }
            return out;
        }
        int i = 0;
        while (i < payload.length) {
            boolean isText = payload[i++] == 0;
            int length = 0;
            while ((payload[i] & 0xff) != 255) {
                length = length * 10 + payload[i++];
            }
            i++;
            byte[] packet = java.util.Arrays.copyOfRange(payload, i, i + length);
            out.add(isText ? new String(packet, StandardCharsets.UTF_8) : packet);
            i += length;
        }
        return out;
    }

    /** A binary payload of one text packet and one binary packet (its type byte included). */
    static byte[] binaryPayload(String text, byte[] binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        entry(out, 0, t);
        entry(out, 1, binary);
        return out.toByteArray();
    }

    private static void entry(ByteArrayOutputStream out, int kind, byte[] packet) {
        out.write(kind);
        for (char c : String.valueOf(packet.length).toCharArray()) {
            out.write(c - '0');
        }
        out.write(255);
        out.writeBytes(packet);
    }

    static int postBinary(String url, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** GETs until what came matches (at most ten GETs); returns every packet received. */
    static List<Object> pollUntil(String url, Predicate<List<Object>> done) throws Exception {
        List<Object> got = new ArrayList<>();
        for (int i = 0; i < 10 && !done.test(got); i++) {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + url + ": " + r.statusCode());
            }
            boolean binary = r.headers().firstValue("Content-Type").orElse("").startsWith("application/octet-stream");
            got.addAll(decode(r.body(), binary));
        }
        return got;
    }
}
