package dev.qsio.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.admin.AdminLoginFigure;
import dev.qsio.runtime.engine.EngineFigure;
import dev.qsio.runtime.figures.Counts;
import dev.qsio.runtime.figures.Figure;
import dev.qsio.runtime.server.ServerFigure;
import dev.qsio.runtime.wire.WireFigures;
import dev.qsio.runtime.wire.WireProvider;

/** The figures a worker reports reach its primary as they were, under the keys the cluster endpoint documents. */
class FiguresTest {

    @Test
    void aWorkersFiguresReachThePrimaryAsTheyWere() throws Exception {
        Counts<EngineFigure> engine = Counts.zero(EngineFigure.class);
        long v = 1;
        for (EngineFigure f : EngineFigure.values()) {
            engine = engine.with(f, v++);
        }
        Counts<ServerFigure> socketio = Counts.zero(ServerFigure.class);
        for (ServerFigure f : ServerFigure.values()) {
            socketio = socketio.with(f, v++);
        }
        Figures sent = new Figures(true, false, Map.of("/chat", Map.of("websocket", 3, "polling", 1)), engine, socketio,
                0.25, "redis", new WireFigures(false, 2, 1, 7, "connection refused"));

        // as the bus carries it: bytes
        String wire = sent.toJson().toString();
        Figures received = Figures.fromJson(new ObjectMapper().readTree(wire), "redis");

        assertThat(received).isEqualTo(sent);
        JsonNode json = new ObjectMapper().readTree(wire);
        assertThat(json.path("engine").path("upgradesForwarded").asLong())
                .isEqualTo(sent.engine().get(EngineFigure.UPGRADES_FORWARDED));
        assertThat(json.path("engine").path("connectionsReceived").asLong())
                .isEqualTo(sent.engine().get(EngineFigure.CONNECTIONS_RECEIVED));
        assertThat(json.path("socketio").path("broadcastsReceived").asLong())
                .isEqualTo(sent.socketio().get(ServerFigure.BROADCASTS_RECEIVED));
        assertThat(json.path("sockets").path("/chat").path("websocket").asInt()).isEqualTo(3);
        assertThat(json.path("redis").path("error").asText()).isEqualTo("connection refused");
        assertThat(json.path("busRoundTripMs").asDouble()).isEqualTo(0.25);
    }

    @Test
    void aWiresOwnFiguresReachThePrimaryInItsGroup() throws Exception {
        Figures sent = new Figures(true, false, Map.of(), Counts.zero(EngineFigure.class), Counts.zero(ServerFigure.class),
                1.5, "postgres", new WireFigures(true, 4, 1, 2, null, Map.of("notifications", 12L, "transactions", 3L)));
        JsonNode json = new ObjectMapper().readTree(sent.toJson().toString());
        assertThat(json.path("postgres").path("notifications").asLong()).isEqualTo(12);
        assertThat(json.path("postgres").path("members").asLong()).isEqualTo(4);
        assertThat(Figures.fromJson(json, "postgres")).isEqualTo(sent);
    }

    @Test
    void withoutAWireBetweenHostsThereIsNoWireGroup() throws Exception {
        Figures sent = new Figures(true, true, Map.of(), Counts.zero(EngineFigure.class), Counts.zero(ServerFigure.class),
                -1, null, null);
        JsonNode json = new ObjectMapper().readTree(sent.toJson().toString());
        assertThat(json.has("redis")).isFalse();
        assertThat(Figures.fromJson(json, null)).isEqualTo(sent);
    }

    @Test
    void theGroupsOfTheLayersAboveReachThePrimaryBesideTheWire() throws Exception {
        Figures sent = new Figures(true, false, Map.of(), Counts.zero(EngineFigure.class), Counts.zero(ServerFigure.class),
                2.0, "redis", new WireFigures(true, 2, 0, 0, null),
                Map.of("adminLogins", Map.of("checked", 7L, "refusedRateLimited", 1234L)));
        JsonNode json = new ObjectMapper().readTree(sent.toJson().toString());
        assertThat(json.path("adminLogins").path("checked").asLong()).isEqualTo(7);
        Figures received = Figures.fromJson(json, "redis");
        assertThat(received).isEqualTo(sent);
        assertThat(received.group("adminLogins", "refusedRateLimited")).isEqualTo(1234);
        assertThat(received.group("adminLogins", "refusedBusy")).as("not reported").isZero();
        assertThat(received.groups()).as("the wire is not a group of the layers above").doesNotContainKey("redis");
    }

    @Test
    void eachFigureHasItsOwnKeyAndItsOwnMeter() {
        List<Figure> all = new ArrayList<>(List.of(EngineFigure.values()));
        all.addAll(List.of(ServerFigure.values()));
        all.addAll(List.of(AdminLoginFigure.values()));
        Set<String> engineKeys = new HashSet<>();
        for (EngineFigure f : EngineFigure.values()) {
            assertThat(engineKeys.add(f.key())).as("key of %s", f).isTrue();
        }
        Set<String> serverKeys = new HashSet<>();
        for (ServerFigure f : ServerFigure.values()) {
            assertThat(serverKeys.add(f.key())).as("key of %s", f).isTrue();
        }
        Set<String> common = Set.of("up", "members", "outages", "dropped", "error");
        for (WireProvider wire : Wires.ALL) {
            Set<String> own = new HashSet<>(common);
            for (Figure f : wire.figures()) {
                assertThat(own.add(f.key())).as("key of %s of the %s wire", f, wire.name()).isTrue();
                assertThat(f.meter().name()).as("meter of %s", f).startsWith("socketio." + wire.name() + ".");
            }
            all.addAll(wire.figures());
        }
        // two figures on one meter id would be one series: Micrometer returns the meter registered first
        Set<String> meters = new HashSet<>();
        for (Figure f : all) {
            if (f.meter() != null) {
                assertThat(meters.add(f.meter().name() + f.meter().tags())).as("meter of %s", f).isTrue();
            }
        }
    }
}
