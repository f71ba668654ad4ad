package dev.qsio.campaign;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What every client saw, as {@code campaign.mjs} wrote it, and what the nemesis did: the input of the {@link Checker}.
 * Times are milliseconds of the machine's clock (every process reads the same one).
 */
public record History(List<Subscriber> subscribers, List<Publisher> publishers, List<Subscriber> churn,
        List<FaultWindow> faults, List<Readiness> readiness) {

    /**
     * A run of consecutive numbers of one origin received on one connection: {@code first..last}, the first at
     * {@code tFirst}, the last at {@code tLast}. A run breaks on any other number and on a new connection
     * ({@code conn} counts the client's connections from 1).
     */
    public record Run(long first, long last, long tFirst, long tLast, int conn) {
    }

    /**
     * A lifecycle event: {@code connect} (detail: the socket id; {@code recovered}), {@code disconnect} (the reason),
     * {@code join} and {@code join-failed} (the room, when the acknowledgement came), {@code where} (the server of the
     * session, {@code host-a/1}), {@code connect_error}, {@code upgrade}.
     */
    public record Life(long t, String type, String detail, boolean recovered) {
    }

    /**
     * A request with an acknowledgement: its kind ({@code upper}, {@code ask}, {@code where}), when it was made, its
     * outcome (1 answered, 0 an error, -1 never settled), how many times its callback ran, when, and the answer.
     */
    public record Ack(String kind, long tInvoke, int outcome, int calls, long tOutcome, String answer) {
    }

    /** A client: its name ({@code s3}, {@code page1}, {@code c2#7}), node or page, and what it went through. */
    public record Subscriber(String name, String kind, List<Life> life, Map<String, List<Run>> runs, List<Ack> acks) {
    }

    /**
     * One broadcast asked of a server: its origin and room ({@code p-a.2/all}: publisher, connection, room), its number
     * in that origin, the room, when it was asked, its outcome (1 acknowledged, 0 an error or no answer in time, -1 never
     * settled) and when.
     */
    public record Publish(String key, long seq, String room, long tInvoke, int outcome, long tOutcome) {
    }

    /** A publisher, connected straight to one host. */
    public record Publisher(String name, String host, List<Life> life, List<Publish> pubs) {
    }

    /**
     * A fault as it happened: its kind and target, when it was injected and healed, when the cluster had converged
     * again (null when it did not within the bound), and the hosts that could not reach Redis because of it.
     */
    public record FaultWindow(int index, Schedule.Kind kind, String host, long start, long healed, Long converged,
            List<String> cutFromRedis, int holdMs) {
    }

    /** One readiness probe of a host's primary: the HTTP status (-1: no answer). */
    public record Readiness(long t, String host, int status) {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the clients' file; the faults and readiness come from the campaign. */
    public static History read(Path clientsFile, List<FaultWindow> faults, List<Readiness> readiness) throws IOException {
        JsonNode root = JSON.readTree(clientsFile.toFile());
        List<Subscriber> subscribers = new ArrayList<>();
        root.path("subscribers").forEach(s -> subscribers.add(subscriber(s)));
        List<Subscriber> churn = new ArrayList<>();
        root.path("churn").forEach(s -> churn.add(subscriber(s)));
        List<Publisher> publishers = new ArrayList<>();
        for (JsonNode p : root.path("publishers")) {
            List<Publish> pubs = new ArrayList<>();
            for (JsonNode e : p.path("pubs")) {
                pubs.add(new Publish(e.get(0).asText(), e.get(1).asLong(), e.get(2).asText(), e.get(3).asLong(),
                        e.get(4).asInt(), e.get(5).asLong()));
            }
            String name = p.path("name").asText();
            publishers.add(new Publisher(name, name.substring(name.indexOf('-') + 1), life(p.path("events")), pubs));
        }
        return new History(subscribers, publishers, churn, faults, readiness);
    }

    private static Subscriber subscriber(JsonNode s) {
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        s.path("runs").properties().forEach(e -> {
            List<Run> list = new ArrayList<>();
            for (JsonNode r : e.getValue()) {
                list.add(new Run(r.get(0).asLong(), r.get(1).asLong(), r.get(2).asLong(), r.get(3).asLong(), r.get(4).asInt()));
            }
            runs.put(e.getKey(), list);
        });
        List<Ack> acks = new ArrayList<>();
        for (JsonNode a : s.path("acks")) {
            acks.add(new Ack(a.get(0).asText(), a.get(1).asLong(), a.get(2).asInt(), a.get(3).asInt(),
                    a.path(4).asLong(), a.has(5) ? a.get(5).asText() : null));
        }
        return new Subscriber(s.path("name").asText(), s.path("kind").asText(), life(s.path("events")), runs, acks);
    }

    private static List<Life> life(JsonNode events) {
        List<Life> life = new ArrayList<>();
        for (JsonNode e : events) {
            String type = e.get(1).asText();
            JsonNode detail = e.path(2);
            life.add(new Life(e.get(0).asLong(), type, detail.isTextual() ? detail.asText() : detail.toString(),
                    "connect".equals(type) && e.path(3).asBoolean()));
        }
        return life;
    }
}
