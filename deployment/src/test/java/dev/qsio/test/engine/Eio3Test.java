package dev.qsio.test.engine;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.qsio.OnConnect;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.quarkus.test.QuarkusUnitTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * {@code allow-eio3}: Engine.IO revision 3 on the wire, as the Socket.IO 2.x clients speak it, byte for byte:
 * length-prefixed text payloads, binary payloads, the client's ping answered with a pong (and the session's end when
 * the pings stop or a pong comes), and Socket.IO protocol 4 above it (the main namespace joined without asking,
 * namespaces named with their query, CONNECT answers without a body, ids derived from the connection's).
 */
class Eio3Test {

    @RegisterExtension
    static final QuarkusUnitTest test = new QuarkusUnitTest()
            .withApplicationRoot(root -> root.addClasses(Main.class, Other.class))
            .overrideConfigKey("quarkus.socketio.allow-eio3", "true")
            // long enough for a loaded machine between a test's requests, which send no ping (Eio3HeartbeatTest has
            // the short ones): at 400 ms each, sessions ended by ping timeout mid-test under a load of 10
            .overrideConfigKey("quarkus.socketio.ping-interval", "20s")
            .overrideConfigKey("quarkus.socketio.ping-timeout", "10s");

    @SocketIo("/")
    public static class Main {
        @OnEvent("echo")
        String echo(String text) {
            return text;
        }

        @OnEvent("reverse")
        byte[] reverse(byte[] data) {
            byte[] out = new byte[data.length];
            for (int i = 0; i < data.length; i++) {
                out[i] = data[data.length - 1 - i];
            }
            return out;
        }
    }

    @SocketIo("/other")
    public static class Other {
        @OnConnect
        void connected(SocketIoSocket socket) {
            socket.emit("hello", socket.id(), socket.handshake().auth().path("token").asText());
        }
    }

    static RequestSpecification request(String sid) {
        RequestSpecification r = given().queryParam("EIO", "3").queryParam("transport", "polling");
        return sid == null ? r : r.queryParam("sid", sid);
    }

    /** The packets of a text payload, each as its length says. */
    static List<String> packets(String payload) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < payload.length()) {
            int colon = payload.indexOf(':', i);
            int length = Integer.parseInt(payload.substring(i, colon));
            out.add(payload.substring(colon + 1, colon + 1 + length));
            i = colon + 1 + length;
        }
        return out;
    }

    static String get(String sid) {
        Response r = request(sid).get("/socket.io/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        return r.asString();
    }

    static void post(String sid, String... packets) {
        StringBuilder body = new StringBuilder();
        for (String p : packets) {
            body.append(p.length()).append(':').append(p);
        }
        request(sid).contentType("text/plain;charset=UTF-8").body(body.toString().getBytes(StandardCharsets.UTF_8))
                .post("/socket.io/").then().statusCode(200);
    }

    /** Opens a session and reads the main namespace's CONNECT that follows the open packet. */
    static String open() {
        List<String> first = packets(get(null));
        assertThat(first.get(0)).startsWith("0{\"sid\":\"");
        String sid = first.get(0).substring(9, first.get(0).indexOf('"', 9));
        List<String> all = new ArrayList<>(first);
        if (all.size() == 1) {
            all.addAll(packets(get(sid)));
        }
        assertThat(all.subList(1, all.size())).containsExactly("40");
        return sid;
    }

    @Test
    void theClientPingsAndTheServerAnswers() {
        String sid = open();
        for (int i = 0; i < 3; i++) {
            post(sid, "2");
            assertThat(packets(get(sid))).containsExactly("3");
        }
        // an event with an acknowledgement, in UTF-8 whose length counts UTF-16 units
        post(sid, "420[\"echo\",\"héllo €𝄞\"]");
        assertThat(packets(get(sid))).containsExactly("430[\"héllo €𝄞\"]");
        post(sid, "1");
    }

    @Test
    void aPongFromTheClientIsAProtocolError() {
        String sid = open();
        post(sid, "3");
        request(sid).get("/socket.io/").then().statusCode(400);
    }

    @Test
    void binaryTravelsAsABinaryPayloadOrAsBase64() throws Exception {
        String sid = open();
        // the client's binary payload: the event's header as text, then its attachment as a binary message
        String header = "451-0[\"reverse\",{\"_placeholder\":true,\"num\":0}]";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        for (char c : String.valueOf(header.length()).toCharArray()) {
            body.write(c - '0');
        }
        body.write(255);
        body.write(header.getBytes(StandardCharsets.UTF_8));
        body.write(new byte[] { 1, 4, (byte) 255, 4, 1, 2, 3 });
        request(sid).contentType("application/octet-stream").body(body.toByteArray()).post("/socket.io/")
                .then().statusCode(200);
        // the answer: a binary payload, as the client did not ask for base64
        Response r = request(sid).get("/socket.io/");
        assertThat(r.contentType()).isEqualTo("application/octet-stream");
        String answer = "461-0[{\"_placeholder\":true,\"num\":0}]";
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(0);
        for (char c : String.valueOf(answer.length()).toCharArray()) {
            expected.write(c - '0');
        }
        expected.write(255);
        expected.write(answer.getBytes(StandardCharsets.UTF_8));
        expected.write(new byte[] { 1, 4, (byte) 255, 4, 3, 2, 1 });
        assertThat(r.asByteArray()).containsExactly(expected.toByteArray());

        // with b64 the same answer is text, the attachment base64 after "b4"
        post(sid, "451-1[\"reverse\",{\"_placeholder\":true,\"num\":0}]", "b4CQg=");
        Response text = request(sid).queryParam("b64", "1").get("/socket.io/");
        assertThat(text.contentType()).startsWith("text/plain");
        assertThat(packets(text.asString())).containsExactly("461-1[{\"_placeholder\":true,\"num\":0}]", "b4CAk=");
        post(sid, "1");
    }

    /** The payload inside a JSONP answer: {@code ___eio[7]("...");}. */
    static String unwrap(String script) throws Exception {
        assertThat(script).startsWith("___eio[7](\"").endsWith("\");");
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(script.substring(10, script.length() - 2),
                String.class);
    }

    @Test
    void jsonpPollingWrapsPayloadsInScriptsAndReadsForms() throws Exception {
        Response open = request(null).queryParam("j", "7").get("/socket.io/");
        assertThat(open.contentType()).startsWith("text/javascript");
        List<String> first = packets(unwrap(open.asString()));
        String sid = first.get(0).substring(9, first.get(0).indexOf('"', 9));
        // a line break inside the text (JSON "\n") and a real one cannot both travel raw in a form: the client writes
        // a literal \n for a line break and \\n for an escaped one
        String packet = "420[\"echo\",\"two\\nlines </script>\"]";
        String escaped = packet.replace("\\n", "\\\\n");
        String form = "d=" + java.net.URLEncoder.encode(packet.length() + ":" + escaped, StandardCharsets.UTF_8);
        request(sid).queryParam("j", "7").contentType("application/x-www-form-urlencoded")
                .body(form).post("/socket.io/").then().statusCode(200);
        List<String> got = new ArrayList<>(first.subList(1, first.size()));
        while (!got.contains("430[\"two\\nlines </script>\"]") && got.size() < 5) {
            Response r = request(sid).queryParam("j", "7").get("/socket.io/");
            assertThat(r.asString()).doesNotContain("</script>");
            got.addAll(packets(unwrap(r.asString())));
        }
        assertThat(got).containsExactly("40", "430[\"two\\nlines </script>\"]");
        post(sid, "1");
    }

    @Test
    void aMalformedQueryInAConnectEndsThatSessionOnly() {
        String bystander = open();
        String sid = open();
        // with a ping behind it: a session still open would answer it at once
        post(sid, "40/other?token=%zz", "2");
        Response r = request(sid).get("/socket.io/");
        assertThat(r.statusCode() == 400 || packets(r.asString()).equals(List.of("1"))).as(r.asString()).isTrue();
        post(bystander, "2");
        assertThat(packets(get(bystander))).containsExactly("3");
        post(bystander, "1");
    }

    @Test
    void otherNamespacesAreNamedWithTheirQuery() {
        String sid = open();
        post(sid, "40/other?token=s%C3%A9same&x=1");
        List<String> got = new ArrayList<>(packets(get(sid)));
        if (got.size() == 1) {
            got.addAll(packets(get(sid)));
        }
        assertThat(got).containsExactly("40/other,", "42/other,[\"hello\",\"/other#" + sid + "\",\"sésame\"]");
        // a refusal is an ERROR whose body is the message, as the 2.x servers sent it
        post(sid, "40/nowhere?token=x");
        assertThat(packets(get(sid))).containsExactly("44/nowhere,\"Invalid namespace\"");
        post(sid, "1");
    }
}
