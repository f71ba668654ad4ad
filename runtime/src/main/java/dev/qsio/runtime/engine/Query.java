package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.HttpServerRequest;

/**
 * Engine.IO's query parameters ({@code EIO}, {@code transport}, {@code sid}, {@code t}, {@code j}, {@code b64}) read
 * from the raw query string. Unlike {@link HttpServerRequest#getParam(String)}, which decodes every parameter into
 * a map on first use, this scans for the one asked, and names are case-sensitive as in the reference server. A value
 * is decoded only when it holds an escape ({@code %} or {@code +}); the first occurrence wins.
 */
public final class Query {

    private Query() {
    }

    public static String param(HttpServerRequest request, String name) {
        return param(request.query(), name);
    }

    static String param(String query, String name) {
        if (query == null) {
            return null;
        }
        int n = name.length();
        int from = 0;
        int length = query.length();
        while (from <= length) {
            int end = query.indexOf('&', from);
            if (end < 0) {
                end = length;
            }
            if (query.startsWith(name, from)) {
                int after = from + n;
                if (after == end) {
                    return "";
                }
                if (query.charAt(after) == '=') {
                    return decode(query, after + 1, end);
                }
            }
            from = end + 1;
        }
        return null;
    }

    private static String decode(String query, int from, int end) {
        for (int i = from; i < end; i++) {
            char c = query.charAt(i);
            if (c == '%' || c == '+') {
                try {
                    return QueryStringDecoder.decodeComponent(query.substring(from, end), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    // a broken escape: the value as sent, which the checks then refuse
                    return query.substring(from, end);
                }
            }
        }
        return query.substring(from, end);
    }
}
