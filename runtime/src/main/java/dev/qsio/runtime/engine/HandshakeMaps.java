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
 * without copying them: the headers are a view of the request's own header map (which the HTTP server keeps for a
 * WebSocket anyway), the query is parsed from the raw query string the first time it is read. Most applications never
 * read them, and a copy per connection cost about a kilobyte of heap.
 */
final class HandshakeMaps {

    private HandshakeMaps() {
    }

    /** The request's headers, names in lower case, each with its values in order. */
    static Map<String, List<String>> headers(MultiMap headers) {
        return new Lazy() {
            @Override
            Map<String, List<String>> build() {
                Map<String, List<String>> m = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : headers) {
                    m.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(e.getValue());
                }
                return m;
            }

            @Override
            public List<String> get(Object key) {
                if (!(key instanceof String name)) {
                    return null;
                }
                // case-insensitive, without building the whole map
                List<String> values = headers.getAll(name);
                return values.isEmpty() ? null : List.copyOf(values);
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
