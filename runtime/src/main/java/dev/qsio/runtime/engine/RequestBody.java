package dev.qsio.runtime.engine;

import java.util.List;
import java.util.function.Consumer;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads the body of a polling POST within the limits a client cannot push: at most {@code maxHttpBufferSize} bytes
 * (by the declared length, then by what arrives), and within the polling body timeout, whether the session is
 * served here, forwarded to its owner or handed over with its connection.
 */
public final class RequestBody {

    /** Why a body was refused. */
    public enum Failure {
        /** The declared length is not a number (400). */
        BAD_LENGTH(400),
        /** Larger than {@code maxHttpBufferSize} (413). */
        TOO_LARGE(413),
        /** Not complete within the polling body timeout (408). */
        TIMEOUT(408),
        /** The connection failed while reading. */
        BROKEN(400);

        final int status;

        Failure(int status) {
            this.status = status;
        }
    }

    private RequestBody() {
    }

    /**
     * Reads the whole body, then calls {@code onBody}; or calls {@code onFailure} once. The request may be paused: it
     * is resumed here. One that has already ended (resumed while it waited, its body gone unread) is
     * {@link Failure#BROKEN}.
     */
    public static void read(Vertx vertx, HttpServerRequest request, int max, long timeoutMs, Consumer<Buffer> onBody,
            Consumer<Failure> onFailure) {
        if (request.isEnded()) {
            onFailure.accept(Failure.BROKEN);
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length);
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared < 0 || declared > max) {
                request.resume();
                onFailure.accept(declared < 0 ? Failure.BAD_LENGTH : Failure.TOO_LARGE);
                return;
            }
        }
        Buffer body = Buffer.buffer();
        boolean[] ended = new boolean[1];
        // a body that trickles in (slow-loris) ends the request
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (!ended[0]) {
                ended[0] = true;
                onFailure.accept(Failure.TIMEOUT);
            }
        });
        request.handler(chunk -> {
            if (ended[0]) {
                return;
            }
            if (body.length() + chunk.length() > max) {
                ended[0] = true;
                vertx.cancelTimer(timer);
                onFailure.accept(Failure.TOO_LARGE);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> {
            if (!ended[0]) {
                ended[0] = true;
                vertx.cancelTimer(timer);
                onFailure.accept(Failure.BROKEN);
            }
        });
        request.endHandler(v -> {
            vertx.cancelTimer(timer);
            if (!ended[0]) {
                ended[0] = true;
                onBody.accept(body);
            }
        });
        request.resume();
    }

    /** Whether a request comes from a client of protocol revision 3 (its {@code EIO} parameter, on every request). */
    public static boolean eio3(HttpServerRequest request) {
        return "3".equals(Query.param(request, "EIO"));
    }

    /** The packets of a POST body, in the framing of the client's protocol revision. */
    public static List<EnginePacket> decodePayload(HttpServerRequest request, Buffer body)
            throws MalformedPacketException {
        if (Jsonp.callback(request) != null) {
            String text = Jsonp.payload(body);
            return eio3(request) ? Eio3Codec.decodeTextPayload(text) : EngineCodec.decodePayload(text);
        }
        if (eio3(request)) {
            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
            return Eio3Codec.decodePayload(body, type != null && type.regionMatches(true, 0, Eio3Codec.OCTET_STREAM, 0,
                    Eio3Codec.OCTET_STREAM.length()));
        }
        return EngineCodec.decodePayload(EngineCodec.text(body));
    }
}
