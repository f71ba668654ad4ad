package dev.qsio;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a socket presented when it connected: the HTTP request of its Engine.IO session and the {@code auth}
 * payload of its CONNECT packet.
 *
 * @param request the request that opened the connection
 * @param auth the auth payload ({@code {}} when the client sent none)
 */
public record Handshake(HandshakeRequest request, JsonNode auth) {

    public Map<String, List<String>> headers() {
        return request.headers();
    }

    public Map<String, List<String>> query() {
        return request.query();
    }

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
        return request.header(name);
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        return request.queryParam(name);
    }

    /** The client's address ({@code host:port}). */
    public String address() {
        return request.remoteAddress();
    }

    public Instant time() {
        return request.time();
    }

    public boolean secure() {
        return request.secure();
    }

    /** The request path (the query is in {@link #query()}). */
    public String url() {
        return request.path();
    }
}
