package dev.qsio.runtime.engine;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;

/**
 * The headers and query parameters of a handshake as the read-only maps {@link dev.qsio.HandshakeRequest} exposes,
 * kept small until read: the headers as one string, the query as the raw query string, each parsed into its map the
 * first time it is read. Most applications never read them, and maps per connection cost about a kilobyte of heap.
 */
final class HandshakeMaps {

    private HandshakeMaps() {
    }

    /**
     * The request's headers, names in lower case, each with its values in order. They are kept as one string
     * ({@code name:value\n} per header; a decoded header holds no line feed and its name no colon), about a quarter of
     * the request's own header map, which is then let go with the request; the map is built from it when read.
     */
    static Map<String, List<String>> headers(MultiMap headers) {
        StringBuilder sb = new StringBuilder(256);
        for (Map.Entry<String, String> e : headers) {
            String value = e.getValue();
            if (value.indexOf('\n') >= 0) {
                // not from an HTTP/1 head; kept readable rather than split
                value = value.replace('\n', ' ');
            }
            sb.append(e.getKey().toLowerCase(Locale.ROOT)).append(':').append(value).append('\n');
        }
        String packed = sb.toString();
        return new Lazy() {
            @Override
            Map<String, List<String>> build() {
                Map<String, List<String>> m = new LinkedHashMap<>();
                int from = 0;
                while (from < packed.length()) {
                    int colon = packed.indexOf(':', from);
                    int end = packed.indexOf('\n', colon);
                    m.computeIfAbsent(packed.substring(from, colon), k -> new ArrayList<>(1))
                            .add(packed.substring(colon + 1, end));
                    from = end + 1;
                }
                return m;
            }

            @Override
            public List<String> get(Object key) {
                // case-insensitive, as HTTP header names are
                return key instanceof String name ? super.get(name.toLowerCase(Locale.ROOT)) : null;
            }
        };
    }

    /** The query string's parameters, decoded, each with its values in order; an empty map for null. */
    static Map<String, List<String>> query(String query) {
        if (query == null || query.isEmpty()) {
            return Map.of();
        }
        return new Lazy() {
            @Override
            Map<String, List<String>> build() {
                return new LinkedHashMap<>(new QueryStringDecoder(query, false).parameters());
            }
        };
    }

    /** A read-only map built on first use. */
    private abstract static class Lazy extends AbstractMap<String, List<String>> {
        private volatile Map<String, List<String>> map;

        abstract Map<String, List<String>> build();

        private Map<String, List<String>> map() {
            Map<String, List<String>> m = map;
            if (m == null) {
                Map<String, List<String>> built = build();
                built.replaceAll((k, v) -> List.copyOf(v));
                // in the request's order
                m = map = Collections.unmodifiableMap(built);
            }
            return m;
        }

        @Override
        public List<String> get(Object key) {
            return map().get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public Set<Entry<String, List<String>>> entrySet() {
            return map().entrySet();
        }
    }
}
