package dev.qsio.runtime.admin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.Handshake;
import dev.qsio.RemoteSocket;

/**
 * A socket as Node's Admin UI serializes it ({@code serialize} in {@code @socket.io/admin-ui}): id, client id,
 * transport, namespace, data, handshake and rooms. The client id and transport travel in the socket's data under
 * {@code _admin}, as in Node, so that a socket fetched from another worker or host carries them; {@code _admin} is
 * left out of the data shown.
 */
final class SocketView {

    /** The key of the socket's data that holds the client id and transport. */
    static final String ADMIN_KEY = "_admin";
    /** JavaScript's {@code Date.prototype.toString()}, which Node's handshake time is. */
    private static final DateTimeFormatter JS_DATE = DateTimeFormatter
            .ofPattern("EEE MMM dd yyyy HH:mm:ss 'GMT'xx", Locale.ENGLISH);
    private static final Pattern HOST_PORT = Pattern.compile("^\\[?(.*?)]?:\\d+$");

    private SocketView() {
    }

    /** What a socket's {@code _admin} data holds. */
    static Map<String, Object> adminData(String clientId, String transport) {
        return Map.of("clientId", clientId.substring(0, Math.min(12, clientId.length())), "transport", transport);
    }

    static ObjectNode of(RemoteSocket socket, ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("id", socket.id());
        Map<String, Object> data = socket.data();
        if (data.get(ADMIN_KEY) instanceof Map<?, ?> admin) {
            node.put("clientId", String.valueOf(admin.get("clientId")));
            node.put("transport", String.valueOf(admin.get("transport")));
        }
        node.put("nsp", socket.namespace());
        node.set("data", data(data, json));
        Handshake handshake = socket.handshake();
        ObjectNode h = node.putObject("handshake");
        String forwarded = handshake.header("cf-connecting-ip");
        if (forwarded == null) {
            forwarded = handshake.header("x-forwarded-for");
        }
        h.put("address", forwarded != null ? forwarded : host(handshake.address()));
        ObjectNode headers = h.putObject("headers");
        handshake.headers().forEach((name, values) -> headers.put(name, String.join(", ", values)));
        ObjectNode query = h.putObject("query");
        handshake.query().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        Instant time = handshake.time();
        h.put("issued", time.toEpochMilli());
        h.put("secure", handshake.secure());
        h.put("time", JS_DATE.format(time.atZone(ZoneId.systemDefault())));
        h.put("url", url(handshake.url(), handshake.query()));
        h.put("xdomain", handshake.header("origin") != null);
        var rooms = node.putArray("rooms");
        socket.rooms().forEach(rooms::add);
        return node;
    }

    /** The data shown: the socket's, without {@code _admin}. */
    static ObjectNode data(Map<String, Object> data, ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        data.forEach((key, value) -> {
            if (!ADMIN_KEY.equals(key)) {
                node.set(key, json.valueToTree(value));
            }
        });
        return node;
    }

    /** The host of a {@code host:port} address, without port (the whole of it otherwise; null stays null). */
    static String host(String hostPort) {
        if (hostPort == null) {
            return null;
        }
        Matcher m = HOST_PORT.matcher(hostPort);
        return m.matches() ? m.group(1) : hostPort;
    }

    /** Node's {@code handshake.url}: the request's path and query. */
    private static String url(String path, Map<String, List<String>> query) {
        StringBuilder url = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            for (String value : e.getValue()) {
                url.append(separator).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return url.toString();
    }
}
