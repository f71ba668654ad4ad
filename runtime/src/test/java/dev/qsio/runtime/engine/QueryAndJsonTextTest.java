package dev.qsio.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a handshake reads and writes without general-purpose parsers: Engine.IO's parameters from the raw query
 * string, and the small JSON objects it answers with, checked against Jackson reading them back.
 */
class QueryAndJsonTextTest {

    @Test
    void aParameterIsFoundWhereverItIsAndDecodedOnlyWhenEscaped() {
        String q = "EIO=4&transport=polling&t=Abc-1&sid=a%2Bb&name=a+b&flag&b64=1&EIO=3";
        assertThat(Query.param(q, "EIO")).isEqualTo("4");
        assertThat(Query.param(q, "transport")).isEqualTo("polling");
        assertThat(Query.param(q, "t")).isEqualTo("Abc-1");
        assertThat(Query.param(q, "sid")).isEqualTo("a+b");
        assertThat(Query.param(q, "name")).isEqualTo("a b");
        assertThat(Query.param(q, "flag")).isEmpty();
        assertThat(Query.param(q, "b64")).isEqualTo("1");
        // a name that only starts another one's, or differs in case, is not that one
        assertThat(Query.param("transports=x&Transport=y", "transport")).isNull();
        assertThat(Query.param(q, "j")).isNull();
        assertThat(Query.param("", "EIO")).isNull();
        assertThat(Query.param((String) null, "EIO")).isNull();
        assertThat(Query.param("a=1&&EIO=4&", "EIO")).isEqualTo("4");
        assertThat(Query.param("EIO=", "EIO")).isEmpty();
        // a broken escape is kept as sent (the checks refuse the value)
        assertThat(Query.param("sid=%zz", "sid")).isEqualTo("%zz");
    }

    @Test
    void jsonStringsAreEscapedAsJsonReadsThem() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (String s : List.of("", "plain-Id_09", "quote\"back\\slash", "lines\n\r\ttab\b\f", "\u0000\u001f\u007f",
                "unicode é 雪 😀")) {
            String json = JsonText.appendString(new StringBuilder(), s).toString();
            assertThat(mapper.readValue(json, String.class)).isEqualTo(s);
        }
        assertThat(JsonText.appendString(new StringBuilder("x"), "a\u0001").toString()).isEqualTo("x\"a\\u0001\"");
    }

    @Test
    void aJsonpScriptEscapesWhatAScriptElementCannotHoldRaw() throws Exception {
        String payload = "4\"q\" \\ \u2028\u2029 </script> \u0001 é";
        String script = Jsonp.script("7", payload).toString();
        assertThat(script).isEqualTo("___eio[7](\"4\\\"q\\\" \\\\ \\u2028\\u2029 \\u003c/script> \\u0001 é\");");
        // what is between the parentheses is a JSON string of the payload
        String literal = script.substring("___eio[7](".length(), script.length() - 2);
        assertThat(new ObjectMapper().readValue(literal, String.class)).isEqualTo(payload);
    }
}
