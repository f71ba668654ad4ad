package dev.qsio.runtime.http;

import org.jboss.logging.Logger;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Requests that Vert.x refuses before any route sees them, for what the client sent: an HTTP/1.1 request without a
 * {@code Host} header, or a form body (on a router with a body handler, the management interface's) with a field
 * longer than the decoder takes or malformed. Vert.x fails them with a 4xx and an exception, and Quarkus's last
 * failure handler logs every failure with an exception at {@code ERROR}, with its stack trace and an error id: anyone
 * who reaches a port could fill the log. Here they are answered with their status and a line of text, and logged at
 * {@code DEBUG}; every other failure goes on to Quarkus's handler as before.
 */
public final class ClientFailures {

    private static final Logger LOG = Logger.getLogger(ClientFailures.class);

    private ClientFailures() {
    }

    /** Puts the handler before the router's other failure handlers. */
    public static void install(Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ClientFailures::handle);
    }

    static void handle(RoutingContext ctx) {
        int status = ctx.statusCode();
        Throwable failure = ctx.failure();
        if (status < 400 || status >= 500 || !refusedForTheClient(failure) || ctx.response().ended()) {
            ctx.next();
            return;
        }
        LOG.debugf("Refused %s %s from %s with %d: %s", ctx.request().method(), ctx.request().uri(),
                ctx.request().remoteAddress(), status, failure);
        if (ctx.response().headWritten()) {
            ctx.response().close();
            return;
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=UTF-8")
                .putHeader(HttpHeaders.CONNECTION, "close").end(message + "\n");
    }

    /** A refusal of the client's request by Vert.x or Netty's decoders, not a failure of the application. */
    static boolean refusedForTheClient(Throwable failure) {
        if (failure == null) {
            return false;
        }
        // a form's decoder (HttpPostRequestDecoder's ErrorDataDecoderException, TooLongFormFieldException, ...)
        if (failure instanceof DecoderException) {
            return true;
        }
        // the one Vert.x Web raises as it makes the routing context of a request without an authority
        return failure instanceof VertxException && failure.getMessage() != null
                && failure.getMessage().endsWith("header is required");
    }
}
