package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

/** The handshake's maps read the request's own data: the same content the copies had, built only when read. */
class HandshakeMapsTest {

    @Test
    void headersAreLowerCasedCaseInsensitiveAndKeepEveryValue() {
        MultiMap raw = MultiMap.caseInsensitiveMultiMap().add("Host", "example.org").add("X-Trace", "a")
                .add("x-trace", "b").add("Cookie", "c=1");
        Map<String, List<String>> headers = HandshakeMaps.headers(raw);
        assertThat(headers.get("host")).containsExactly("example.org");
        assertThat(headers.get("HOST")).containsExactly("example.org");
        assertThat(headers.get("x-trace")).containsExactly("a", "b");
        assertThat(headers.get("missing")).isNull();
        assertThat(headers.containsKey("cookie")).isTrue();
        assertThat(headers.keySet()).containsExactly("host", "x-trace", "cookie");
        assertThat(headers).isEqualTo(Map.of("host", List.of("example.org"), "x-trace", List.of("a", "b"), "cookie",
                List.of("c=1")));
    }

    @Test
    void theQueryIsDecodedWhenRead() {
        Map<String, List<String>> query = HandshakeMaps.query("EIO=4&transport=websocket&name=a%20b&tag=x&tag=y&empty=");
        assertThat(query.get("EIO")).containsExactly("4");
        assertThat(query.get("name")).containsExactly("a b");
        assertThat(query.get("tag")).containsExactly("x", "y");
        assertThat(query.get("empty")).containsExactly("");
        assertThat(query.keySet()).containsExactly("EIO", "transport", "name", "tag", "empty");
        assertThat(HandshakeMaps.query(null)).isEmpty();
        assertThat(HandshakeMaps.query("")).isEmpty();
    }
}
