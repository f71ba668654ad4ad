package dev.qsio.it.nodesuites;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.DecoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;

/**
 * {@code socket.io/test/server-attachment.ts}, the client bundle that Node's server serves at its path
 * ({@code serveClient}): here {@code quarkus.socketio.serve-client}, on by default, the same files, types, ETag and
 * compressions. Node's cases that attach a server to a Node {@code http.Server} or make it listen on a port are
 * written off in the manifest: here the HTTP server is the application's. The case with {@code serveClient: false}
 * is {@link ServerAttachmentNoClientCasesTest}.
 */
@QuarkusTest
@NodeFile("socket.io/test/server-attachment.ts")
class ServerAttachmentCasesTest extends NodeCases {

    /** The version of the official client the bundle is (Node's ETag is its own client's version). */
    static String clientVersion() throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader()
                .getResourceAsStream("META-INF/qsio/client/VERSION")) {
            assertThat(in).as("the bundle's VERSION").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** A request that leaves the body as it came (RestAssured would otherwise decode a compressed one). */
    static io.restassured.specification.RequestSpecification raw() {
        return given().config(RestAssuredConfig.config().decoderConfig(DecoderConfig.decoderConfig().noContentDecoders()));
    }

    Response get(String file) {
        return given().when().get(url("/socket.io/" + file));
    }

    /** Node's {@code testSource}: the script, its type and ETag, no source map header. */
    void isTheSource(String file) throws IOException {
        Response res = get(file);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Content-Type")).isEqualTo("application/javascript; charset=utf-8");
        assertThat(res.header("ETag")).isEqualTo("\"" + clientVersion() + "\"");
        assertThat(res.header("X-SourceMap")).isNull();
        assertThat(res.asString()).containsPattern("engine\\.io");
    }

    /** Node's {@code testSourceMap}: the source map, JSON, same ETag. */
    void isTheSourceMap(String file) throws IOException {
        Response res = get(file);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(res.header("ETag")).isEqualTo("\"" + clientVersion() + "\"");
        assertThat(res.asString()).containsPattern("engine\\.io");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve client")
    void servesTheClient() throws IOException {
        isTheSource("socket.io.js");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve client with query string")
    void servesTheClientWithAQuery() throws IOException {
        isTheSource("socket.io.js?buster=" + System.currentTimeMillis());
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve source map")
    void servesTheSourceMap() throws IOException {
        isTheSourceMap("socket.io.js.map");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve client (min)")
    void servesTheMinifiedClient() throws IOException {
        isTheSource("socket.io.min.js");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve source map (min)")
    void servesTheMinifiedSourceMap() throws IOException {
        isTheSourceMap("socket.io.min.js.map");
    }

    /** The client's preference breaks the tie between equally weighted encodings, as Node's {@code accepts} does. */
    @Test
    @NodeCase("server attachment > http.Server > should serve client (gzip)")
    void servesTheClientGzipped() throws IOException {
        Response res = raw().header("Accept-Encoding", "gzip,br,deflate").when().get(url("/socket.io/socket.io.js"));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Content-Encoding")).isEqualTo("gzip");
        byte[] body = res.asByteArray();
        try (InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(get("socket.io.js").asString());
        }
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve client (br)")
    void servesTheClientWithBrotli() throws IOException {
        Response res = raw().header("Accept-Encoding", "br").when().get(url("/socket.io/socket.io.js"));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Content-Encoding")).isEqualTo("br");
        byte[] plain = get("socket.io.js").asByteArray();
        byte[] body = res.asByteArray();
        assertThat(body.length).isLessThan(plain.length / 2);
        com.aayushatharva.brotli4j.decoder.DirectDecompress decoded = com.aayushatharva.brotli4j.decoder.Decoder
                .decompress(body);
        assertThat(decoded.getDecompressedData()).isEqualTo(plain);
    }

    /** The origin is one of the module's {@code quarkus.socketio.cors.origins}. */
    @Test
    @NodeCase("server attachment > http.Server > should serve client with necessary CORS headers")
    void servesTheClientWithCorsHeaders() {
        Response res = given().header("Origin", "http://localhost:54023").when().get(url("/socket.io/socket.io.js"));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:54023");
        Response other = given().header("Origin", "https://bad-origin.com").when().get(url("/socket.io/socket.io.js"));
        assertThat(other.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve bundle with msgpack parser")
    void servesTheMsgpackBundle() throws IOException {
        isTheSource("socket.io.msgpack.min.js");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve source map for bundle with msgpack parser")
    void servesTheMsgpackBundlesSourceMap() throws IOException {
        isTheSourceMap("socket.io.msgpack.min.js.map");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve the ESM bundle")
    void servesTheEsmBundle() throws IOException {
        isTheSource("socket.io.esm.min.js");
    }

    @Test
    @NodeCase("server attachment > http.Server > should serve the source map for the ESM bundle")
    void servesTheEsmBundlesSourceMap() throws IOException {
        isTheSourceMap("socket.io.esm.min.js.map");
    }

    @Test
    @NodeCase("server attachment > http.Server > should handle 304")
    void answers304ToItsETag() throws IOException {
        given().header("If-None-Match", "\"" + clientVersion() + "\"").when().get(url("/socket.io/socket.io.js"))
                .then().statusCode(304);
    }

    @Test
    @NodeCase("server attachment > http.Server > should handle 304 (2)")
    void answers304ToItsWeakETag() throws IOException {
        given().header("If-None-Match", "W/\"" + clientVersion() + "\"").when().get(url("/socket.io/socket.io.js"))
                .then().statusCode(304);
        given().header("If-None-Match", "\"0.0.0\"").when().get(url("/socket.io/socket.io.js")).then().statusCode(200);
    }

    @Test
    @NodeCase("server attachment > static files > should serve socket.io.js")
    void servesSocketIoJs() {
        Response res = get("socket.io.js");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.header("Content-Type")).isEqualTo("application/javascript; charset=utf-8");
    }

    /** Anything else under the path goes to the engine, which refuses a request that is not its protocol. */
    @Test
    @NodeCase("server attachment > static files > should not serve unknown files from the Socket.IO path")
    void servesNoOtherFile() {
        assertThat(get("socket.io.esm.js").statusCode()).isEqualTo(400);
    }

    @Test
    @NodeCase("server attachment > static files > should return 404 for mismatching path")
    void servesNothingElsewhere() {
        assertThat(given().when().get(url("/abcdefghij/socket.io.js")).statusCode()).isEqualTo(404);
    }
}
