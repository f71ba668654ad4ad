package dev.qsio.runtime.engine;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * JSONP polling, for clients that cannot make cross-origin XHRs (the {@code forceJSONP} option of Socket.IO 2.x
 * clients, browsers without XHR2): a request with a {@code j} parameter. The GET's answer is a script that hands the
 * payload, as a JavaScript string, to the client's callback {@code ___eio[j]}; the POST is a form whose field
 * {@code d} holds the payload, with its line breaks escaped (a literal {@code \n} for a line break, {@code \\n} for
 * an escaped one) so that no browser turns them into CRLF. The payloads themselves are the text payloads of the
 * client's protocol revision.
 */
final class Jsonp {

    static final String CONTENT_TYPE = "text/javascript; charset=UTF-8";

    private Jsonp() {
    }

    /** The index of the client's callback when the request is a JSONP one, else null. */
    static String callback(HttpServerRequest request) {
        String j = Query.param(request, "j");
        if (j == null) {
            return null;
        }
        StringBuilder digits = new StringBuilder(j.length());
        for (int i = 0; i < j.length(); i++) {
            char c = j.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            }
        }
        return digits.toString();
    }

    /** The script that answers a GET: {@code ___eio[j]("payload");}. */
    static Buffer script(String callback, String payload) {
        StringBuilder sb = new StringBuilder(payload.length() + 24).append("___eio[").append(callback).append("](");
        JsonText.appendString(sb, payload, true);
        return Buffer.buffer(sb.append(");").toString());
    }

    /** The payload of a POST: the form field {@code d}, its line breaks unescaped. */
    static String payload(Buffer body) throws MalformedPacketException {
        List<String> d;
        try {
            d = new QueryStringDecoder(EngineCodec.text(body), StandardCharsets.UTF_8, false).parameters().get("d");
        } catch (IllegalArgumentException e) {
            throw new MalformedPacketException("JSONP post that is not a form: " + e.getMessage());
        }
        if (d == null || d.isEmpty()) {
            throw new MalformedPacketException("JSONP post without its d field");
        }
        String data = d.get(0);
        StringBuilder sb = new StringBuilder(data.length());
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c == '\\' && i + 2 < data.length() && data.charAt(i + 1) == '\\' && data.charAt(i + 2) == 'n') {
                sb.append("\\n");
                i += 2;
            } else if (c == '\\' && i + 1 < data.length() && data.charAt(i + 1) == 'n') {
                sb.append('\n');
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
