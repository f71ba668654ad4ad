package dev.qsio;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * The HTTP request that opened an Engine.IO session, captured at the handshake.
 *
 * @param method the HTTP method ({@code GET})
 * @param path the request path
 * @param headers the request headers, names in lower case
 * @param query the query parameters of the handshake request
 * @param remoteAddress the peer address as {@code host:port}, or {@code null} when unknown
 * @param secure whether the request came over TLS
 * @param time when the handshake happened
 * @param identity who the application's Quarkus HTTP authentication (bearer token, OIDC, basic, mutual TLS, ...)
 *        says sent the request, possibly anonymous; {@code null} when the application has no HTTP security
 */
public record HandshakeRequest(String method, String path, Map<String, List<String>> headers,
        Map<String, List<String>> query, String remoteAddress, boolean secure, Instant time,
        SecurityIdentity identity) {

    /** A request without an identity (the application has no HTTP authentication). */
    public HandshakeRequest(String method, String path, Map<String, List<String>> headers,
            Map<String, List<String>> query, String remoteAddress, boolean secure, Instant time) {
        this(method, path, headers, query, remoteAddress, secure, time, null);
    }

    /** The first value of a header, or {@code null}. The name is case-insensitive. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
