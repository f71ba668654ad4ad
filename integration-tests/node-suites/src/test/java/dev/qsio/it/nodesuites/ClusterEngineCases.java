package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.it.nodesuites.ClusterLayout.Pinned;
import dev.qsio.it.nodesuites.cluster.EngineSessions;

/**
 * What the cases of {@code socket.io-cluster-engine/test/} share. Node's cases run three servers on ports 3000 to
 * 3002 and send each request of one polling session to one of them: here a request goes to server {@code i} of the
 * layout on a connection that server holds ({@link ClusterLayout#pin}), so that it reaches a server that may not own
 * its session, as with no sticky sessions. On one host that server hands the connection to the owner; from another
 * host the request is forwarded over Redis. Node's {@code engine.on("connection")} is the raw Engine.IO endpoint
 * {@link EngineSessions}.
 */
abstract class ClusterEngineCases {

    static final char SEPARATOR = '\u001e';

    abstract ClusterLayout layout();

    static String query(String sid) {
        return EngineSessions.PATH + "?EIO=4&transport=polling" + (sid == null ? "" : "&sid=" + sid);
    }

    /** Node's {@code handshake(port)} on server {@code i}, the session's owner; {@code behaviour}: the endpoint's case. */
    String handshake(int i, String behaviour) {
        try (Pinned p = layout().pin(layout().server(i))) {
            Pinned.Response r = p.send("GET", query(null) + "&case=" + behaviour, null);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).startsWith("0{");
            return new Pinned.Response(200, r.body().substring(1)).json().path("sid").asText();
        }
    }

    /** A poll on server {@code i}. */
    Pinned.Response get(int i, String sid) {
        try (Pinned p = layout().pin(layout().server(i))) {
            return p.send("GET", query(sid), null);
        }
    }

    /** A POST of a payload on server {@code i}. */
    Pinned.Response post(int i, String sid, String payload) {
        try (Pinned p = layout().pin(layout().server(i))) {
            return p.send("POST", query(sid), payload);
        }
    }

    static List<String> packets(String body) {
        return Arrays.asList(body.split(String.valueOf(SEPARATOR)));
    }

    /**
     * Polls on server {@code i} until a packet other than a ping comes; returns it. The heartbeat of the layouts is
     * shorter than Node's default (100 ms, for the ping/pong cases), so a ping may come first where Node's case reads
     * its packet from its first poll.
     */
    String firstPacketNotPing(int i, String sid) {
        for (int n = 0; n < 200; n++) {
            Pinned.Response r = get(i, sid);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            List<String> notPings = packets(r.body()).stream().filter(p -> !p.equals("2")).toList();
            if (!notPings.isEmpty()) {
                return notPings.get(0);
            }
        }
        throw new AssertionError("200 polls, only pings");
    }

    /**
     * What the server the session lives on says of it: what it received, its upgrade, why it closed; waits until a
     * server has it (across hosts the application gets a polling session 300 ms after its handshake, Node's
     * {@code delayedConnectionTimeout}, so that an upgrade that lands on another host may take it over first).
     */
    JsonNode state(String sid) {
        JsonNode[] state = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> (state[0] = stateNow(sid)) != null);
        return state[0];
    }

    /** What the server the session lives on says of it now, or null while none has it. */
    JsonNode stateNow(String sid) {
        List<JsonNode> known = new ArrayList<>();
        for (ClusterLayout.Server s : layout().servers) {
            try (Pinned p = layout().pin(s)) {
                JsonNode state = p.send("GET", "/cluster-engine-state?sid=" + sid, null).json();
                if (state.path("known").asBoolean()) {
                    known.add(state);
                }
            }
        }
        assertThat(known.size()).as("the servers that know session " + sid + ": " + known).isLessThanOrEqualTo(1);
        return known.isEmpty() ? null : known.get(0);
    }

    /** Waits until the session's server has received {@code count} messages; returns them. */
    List<String> awaitReceived(String sid, int count) {
        List<String> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            received.clear();
            JsonNode state = stateNow(sid);
            if (state != null) {
                state.path("received").forEach(m -> received.add(m.asText()));
            }
            return received.size() >= count;
        });
        return received;
    }

    /** Waits until the session's server has seen it close; the reason. */
    String awaitClosed(String sid) {
        String[] reason = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode closed = state(sid).path("closed");
            reason[0] = closed.isNull() || closed.isMissingNode() ? null : closed.asText();
            return reason[0] != null;
        });
        return reason[0];
    }

    /**
     * Node's ping/pong loop: a session opened on server {@code owner}, then ten times a poll that gets the ping on one
     * server and the pong posted on the next; each answer exactly what Node's case expects.
     */
    void pingPong(int owner) {
        long before = layout().notOnTheirOwner();
        String sid = handshake(owner, "echo");
        for (int i = 0; i < 10; i++) {
            Pinned.Response poll = get(i, sid);
            assertThat(poll.status()).as(poll.body()).isEqualTo(200);
            assertThat(poll.body()).isEqualTo("2");
            Pinned.Response pong = post(i + 1, sid, "3");
            assertThat(pong.status()).as(pong.body()).isEqualTo(200);
            assertThat(pong.body()).isEqualTo("ok");
        }
        // the requests of other servers than the owner's reached it through them
        await().atMost(Duration.ofSeconds(10)).until(() -> layout().notOnTheirOwner() >= before + 10);
    }

    /**
     * Node's "should send and receive binary": a base64 binary message posted on server 1 of a session of server 0,
     * echoed, and read on server 2.
     */
    void binary() {
        String sid = handshake(0, "echo");
        Pinned.Response sent = post(1, sid, "bAQIDBA==");
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        assertThat(firstPacketNotPing(2, sid)).isEqualTo("bAQIDBA==");
        assertThat(awaitReceived(sid, 1)).containsExactly("binary AQIDBA==");
    }
}
