package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;

import java.util.logging.LogRecord;

import dev.qsio.runtime.engine.EngineEndpoints;
import dev.qsio.runtime.engine.EngineFigure;
import io.restassured.response.Response;

/** Polling requests of a client at a given address, which the HTTP server takes from {@code X-Forwarded-For}. */
final class Handshakes {

    private Handshakes() {
    }

    /** A polling handshake from {@code from}, whatever its answer. */
    static Response handshake(String from) {
        return given().header("X-Forwarded-For", from).queryParam("EIO", "4").queryParam("transport", "polling")
                .get("/socket.io/");
    }

    /** A polling handshake from {@code from} that must open a session: its sid. */
    static String open(String from) {
        String body = handshake(from).then().statusCode(200).extract().asString();
        int i = body.indexOf("\"sid\":\"") + 7;
        return body.substring(i, body.indexOf('"', i));
    }

    /** The text of a log record written with a printf-style format ({@code infof}). */
    static String text(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters == null ? record.getMessage() : String.format(record.getMessage(), parameters);
    }

    /** A figure of the engine, all its servers together. */
    static long figure(EngineEndpoints engines, EngineFigure figure) {
        return engines.servers().stream().mapToLong(s -> s.stats().snapshot().get(figure)).sum();
    }

    /** A polling POST of session {@code sid} from {@code from}, which must be taken. */
    static void post(String from, String sid, String payload) {
        given().header("X-Forwarded-For", from).queryParam("EIO", "4").queryParam("transport", "polling")
                .queryParam("sid", sid).body(payload).post("/socket.io/").then().statusCode(200);
    }
}
