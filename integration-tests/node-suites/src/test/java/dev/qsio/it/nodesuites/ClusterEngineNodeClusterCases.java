package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.RawHttp;

/**
 * {@code socket.io-cluster-engine/test/cluster.ts}: Node's {@code cluster} module, three workers behind one port whose
 * primary deals the connections out; here the layout's first host, whose primary gives each connection to the worker
 * of its session. Every request goes on a connection of its own to the host's port, as Node's {@code fetch} sends
 * them.
 */
@NodeFile("socket.io-cluster-engine/test/cluster.ts")
abstract class ClusterEngineNodeClusterCases extends ClusterEngineCases {

    String url(String sid) {
        ClusterProcess host = layout().hosts.get(0);
        return host.url() + query(sid);
    }

    String portHandshake() throws Exception {
        HttpResponse<String> r = RawHttp.get(url(null) + "&case=echo");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body().substring(1)).path("sid").asText();
    }

    @Test
    @NodeCase("cluster > should ping/pong")
    void shouldPingPong() throws Exception {
        String sid = portHandshake();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> poll = RawHttp.get(url(sid));
            assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
            assertThat(poll.body()).isEqualTo("2");
            HttpResponse<String> pong = RawHttp.post(url(sid), "3");
            assertThat(pong.statusCode()).as(pong.body()).isEqualTo(200);
        }
    }

    @Test
    @NodeCase("cluster > should send and receive binary")
    void shouldSendAndReceiveBinary() throws Exception {
        String sid = portHandshake();
        HttpResponse<String> sent = RawHttp.post(url(sid), "bAQIDBA==");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> poll = RawHttp.get(url(sid));
            assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
            List<String> packets = packets(poll.body());
            if (packets.contains("bAQIDBA==")) {
                return;
            }
            assertThat(packets).as("pings until the echo").containsOnly("2");
        }
        throw new AssertionError("no echo in 100 polls");
    }
}
