package dev.qsio.runtime.clusteradapter;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.Handshake;
import dev.qsio.HandshakeRequest;
import dev.qsio.RemoteSocket;
import dev.qsio.runtime.security.IdentitySnapshot;
import dev.qsio.runtime.adapter.LocalSockets;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Sockets and values as they cross between servers. A socket is described as Node's adapters describe it in a
 * {@code fetchSockets} response ({@code id}, {@code rooms}, {@code data}, and a {@code handshake} with headers and
 * query as single strings, {@code time} as a date string, {@code issued} in epoch milliseconds), so that Node and
 * Quarkus servers understand each other's answers.
 */
final class SocketDescriptions {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final DateTimeFormatter NODE_DATE = DateTimeFormatter
            .ofPattern("EEE MMM dd yyyy HH:mm:ss 'GMT+0000 (Coordinated Universal Time)'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private SocketDescriptions() {
    }

    static ObjectNode describe(ObjectMapper mapper, RemoteSocket socket) {
        ObjectNode s = mapper.createObjectNode();
        s.put("id", socket.id());
        ArrayNode rooms = s.putArray("rooms");
        socket.rooms().forEach(rooms::add);
        s.set("data", mapper.valueToTree(socket.data()));
        HandshakeRequest req = socket.handshake().request();
        ObjectNode h = s.putObject("handshake");
        ObjectNode headers = h.putObject("headers");
        req.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        h.put("time", NODE_DATE.format(req.time()));
        h.put("address", req.remoteAddress());
        h.put("xdomain", req.header("origin") != null);
        h.put("secure", req.secure());
        h.put("issued", req.time().toEpochMilli());
        StringBuilder url = new StringBuilder(req.path());
        ObjectNode query = h.putObject("query");
        String sep = "?";
        for (Map.Entry<String, List<String>> e : req.query().entrySet()) {
            List<String> values = e.getValue();
            if (values.size() == 1) {
                query.put(e.getKey(), values.get(0));
            } else {
                ArrayNode a = query.putArray(e.getKey());
                values.forEach(a::add);
            }
            for (String v : values) {
                url.append(sep).append(e.getKey()).append('=').append(v);
                sep = "&";
            }
        }
        h.put("url", url.toString());
        h.put("method", req.method());
        h.set("auth", socket.handshake().auth() == null ? NullNode.getInstance() : socket.handshake().auth());
        // who the socket is, without credentials (a field Node's adapters ignore)
        SecurityIdentity identity = socket.securityIdentity();
        if (identity != null && !identity.isAnonymous() && identity.getPrincipal() != null) {
            ObjectNode who = s.putObject("identity");
            who.put("name", identity.getPrincipal().getName());
            ArrayNode roles = who.putArray("roles");
            identity.getRoles().stream().sorted().forEach(roles::add);
        }
        return s;
    }

    private static SecurityIdentity identityOf(JsonNode s) {
        JsonNode who = s.path("identity");
        if (!who.path("name").isTextual()) {
            return IdentitySnapshot.ANONYMOUS;
        }
        Set<String> roles = new HashSet<>();
        who.path("roles").forEach(r -> roles.add(r.asText()));
        return IdentitySnapshot.of(who.path("name").asText(), roles);
    }

    static RemoteSocket remoteSocket(ObjectMapper mapper, LocalSockets namespace, JsonNode s) {
        JsonNode h = s.path("handshake");
        long time = h.path("issued").isNumber() ? h.path("issued").asLong()
                : h.path("time").isNumber() ? h.path("time").asLong() : System.currentTimeMillis();
        String url = h.path("url").asText("");
        int q = url.indexOf('?');
        HandshakeRequest request = new HandshakeRequest(h.path("method").asText("GET"), q < 0 ? url : url.substring(0, q),
                multiMap(h.path("headers")), multiMap(h.path("query")),
                h.path("address").isTextual() ? h.path("address").asText() : null, h.path("secure").asBoolean(),
                Instant.ofEpochMilli(time));
        Set<String> rooms = new HashSet<>();
        s.path("rooms").forEach(n -> rooms.add(n.asText()));
        Map<String, Object> data = s.path("data").isObject() ? mapper.convertValue(s.path("data"), MAP) : null;
        return new RemoteSocketImpl(namespace, s.path("id").asText(), new Handshake(request, h.path("auth")), rooms,
                data == null ? new HashMap<>() : data, identityOf(s));
    }

    /** Header or query values: one string (Node) or a list of strings each. */
    private static Map<String, List<String>> multiMap(JsonNode node) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(v -> values.add(v.asText()));
            } else {
                values.add(e.getValue().asText());
            }
            map.put(e.getKey(), values);
        });
        return map;
    }
}
