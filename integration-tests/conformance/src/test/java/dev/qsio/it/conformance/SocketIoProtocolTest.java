package dev.qsio.it.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.RawHttp;
import dev.qsio.it.support.RawWebSocket;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Socket.IO v5 behaviour that the specification's test suite checks, packet by packet over raw HTTP and
 * WebSocket: connect (with auth, to a custom namespace, to an unknown one), events, acknowledgements, binary,
 * disconnect and the connect timeout.
 */
@QuarkusTest
class SocketIoProtocolTest {

    static final String RS = "\u001e";

    @TestHTTPResource("/socket.io/")
    URL base;

    String url(String query) {
        return base + "?" + query;
    }

    String ws() {
        return url("EIO=4&transport=websocket").replaceFirst("^http", "ws");
    }

    /** An Engine.IO session over polling; returns its sid. */
    String open() throws Exception {
        HttpResponse<String> res = RawHttp.get(url("EIO=4&transport=polling"));
        return ClientDriver.JSON.readTree(res.body().substring(1)).get("sid").asText();
    }

    void post(String sid, String payload) {
        assertThat(RawHttp.post(url("EIO=4&transport=polling&sid=" + sid), payload).body()).isEqualTo("ok");
    }

    /** The next poll, without the heartbeat pings the server slips in every 300 ms. */
    String poll(String sid) {
        while (true) {
            String body = RawHttp.get(url("EIO=4&transport=polling&sid=" + sid)).body();
            StringBuilder kept = new StringBuilder();
            boolean pinged = false;
            for (String packet : body.split(RS)) {
                if (packet.equals("2")) {
                    pinged = true;
                    continue;
                }
                if (kept.length() > 0) {
                    kept.append(RS);
                }
                kept.append(packet);
            }
            if (pinged) {
                post(sid, "3");
            }
            if (kept.length() > 0) {
                return kept.toString();
            }
        }
    }

    static JsonNode json(String s) throws Exception {
        return ClientDriver.JSON.readTree(s);
    }

    @Test
    void connectsToTheMainNamespaceAndReceivesTheAuthEcho() throws Exception {
        String sid = open();
        post(sid, "40");
        String[] packets = poll(sid).split(RS);
        assertThat(packets[0]).startsWith("40{");
        assertThat(json(packets[0].substring(2)).get("sid").asText()).matches("[A-Za-z0-9_-]{20}").isNotEqualTo(sid);
        String auth = packets.length > 1 ? packets[1] : poll(sid);
        assertThat(auth).isEqualTo("42[\"auth\",{}]");
    }

    @Test
    void connectsWithAnAuthPayload() throws Exception {
        String sid = open();
        post(sid, "40{\"token\":\"123\"}");
        String all = poll(sid);
        if (!all.contains("42[")) {
            all = all + RS + poll(sid);
        }
        assertThat(all.split(RS)[1]).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
    }

    @Test
    void connectsToACustomNamespace() throws Exception {
        String sid = open();
        post(sid, "40/custom,");
        String first = poll(sid).split(RS)[0];
        assertThat(first).startsWith("40/custom,{\"sid\":\"");
    }

    @Test
    void refusesAnUnknownNamespace() throws Exception {
        String sid = open();
        post(sid, "40/random,");
        assertThat(poll(sid)).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");
    }

    @Test
    void invalidPacketClosesTheConnection() throws Exception {
        String sid = open();
        post(sid, "4abc");
        closedCleanly(sid);
    }

    @Test
    void invalidPayloadClosesTheConnection() throws Exception {
        String sid = open();
        post(sid, "40");
        poll(sid);
        post(sid, "42{\"not\":\"an array\"}");
        closedCleanly(sid);
    }

    /**
     * A session closed for breaking the protocol, as Node's server closes it (its close.ts, "protocol violations"):
     * gracefully, the close packet with the next poll; after it the session is gone. What the server sent before the
     * violation may come first: the event the namespace emits on connection ({@code auth}) is written after the
     * CONNECT packet, and a poll may have taken the CONNECT alone.
     */
    void closedCleanly(String sid) {
        List<String> packets = new ArrayList<>(List.of(poll(sid).split(RS)));
        if (!packets.contains("1") && packets.stream().allMatch(p -> p.startsWith("42[\"auth\""))) {
            packets.addAll(List.of(poll(sid).split(RS)));
        }
        assertThat(packets).as("the packets polled after the violation").endsWith("1");
        assertThat(packets.subList(0, packets.size() - 1)).as("before the close, only the connection's event")
                .allMatch(p -> p.startsWith("42[\"auth\""));
        assertThat(RawHttp.get(url("EIO=4&transport=polling&sid=" + sid)).statusCode()).isEqualTo(400);
    }

    @Test
    void connectionWithoutNamespaceTimesOut() throws Exception {
        String sid = open();
        // the connect timeout is 1000 ms: the session ends with a close packet, then the sid is unknown
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            HttpResponse<String> res = RawHttp.get(url("EIO=4&transport=polling&sid=" + sid));
            if (res.statusCode() == 200 && res.body().contains("2")) {
                RawHttp.post(url("EIO=4&transport=polling&sid=" + sid), "3");
            }
            return res.statusCode() == 400;
        });
    }

    @Test
    void echoesEventsAndAcknowledgements() throws Exception {
        String sid = open();
        post(sid, "40");
        poll(sid);
        String auth = "42[\"auth\",{}]";
        post(sid, "42[\"message\",1,\"2\",{\"3\":[true]}]");
        String got = poll(sid).replace(auth + RS, "").replace(auth, "");
        if (got.isEmpty()) {
            got = poll(sid);
        }
        assertThat(got).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
        post(sid, "421[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
        assertThat(poll(sid)).isEqualTo("431[1,\"2\",{\"3\":[false]}]");
    }

    @Test
    void echoesBinaryEventsAndAcknowledgementsOverWebSocket() {
        try (RawWebSocket socket = RawWebSocket.open(ws())) {
            assertThat(socket.nextText()).startsWith("0");
            socket.send("40/custom,");
            assertThat(nextNonPing(socket)).startsWith("40/custom,{\"sid\":");
            assertThat(nextNonPing(socket)).isEqualTo("42/custom,[\"auth\",{}]");
            socket.send("451-/custom,[\"message\",{\"_placeholder\":true,\"num\":0}]");
            socket.send(new byte[] { 1, 2, 3 });
            assertThat(nextNonPing(socket)).isEqualTo("451-/custom,[\"message-back\",{\"_placeholder\":true,\"num\":0}]");
            assertThat((byte[]) socket.next()).containsExactly(1, 2, 3);
            socket.send("461-/custom,7[\"message-with-ack\",{\"_placeholder\":true,\"num\":0}]".replace("461-", "451-"));
            socket.send(new byte[] { 4, 5 });
            assertThat(nextNonPing(socket)).isEqualTo("461-/custom,7[{\"_placeholder\":true,\"num\":0}]");
            assertThat((byte[]) socket.next()).containsExactly(4, 5);
        }
    }

    @Test
    void clientDisconnectLeavesTheNamespaceButKeepsTheConnection() {
        try (RawWebSocket socket = RawWebSocket.open(ws())) {
            socket.nextText();
            socket.send("40");
            assertThat(nextNonPing(socket)).startsWith("40{");
            nextNonPing(socket);
            socket.send("41");
            socket.send("42[\"message\",\"ignored after leaving\"]");
            socket.send("40/custom,");
            // the main namespace is left: its echo never comes, while the custom namespace answers
            assertThat(nextNonPing(socket)).startsWith("40/custom,");
            assertThat(nextNonPing(socket)).isEqualTo("42/custom,[\"auth\",{}]");
            assertThat(socket.isClosed()).isFalse();
        }
    }

    private static String nextNonPing(RawWebSocket socket) {
        while (true) {
            Object m = socket.next();
            if ("2".equals(m)) {
                socket.send("3");
                continue;
            }
            if (m instanceof byte[]) {
                throw new AssertionError("expected text, got binary");
            }
            return (String) m;
        }
    }
}
