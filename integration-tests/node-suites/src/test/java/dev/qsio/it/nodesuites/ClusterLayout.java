package dev.qsio.it.nodesuites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.it.support.ClientDriver;
import dev.qsio.it.support.ClusterProcess;
import dev.qsio.it.support.HttpAnswer;
import dev.qsio.it.support.RedisServer;

/**
 * Where the cluster packages' cases run: this module's package started as a cluster of 2 or 3 workers on one host, or
 * as two hosts joined over a real Redis (host A with 2 workers, host B with 1: three servers, as Node's cases have,
 * two of them on one host). Its servers are numbered as Node's cases number their servers (ports 3000, 3001, 3002 of
 * the cluster-engine cases, {@code workers[0..2]} of the cluster-adapter cases); with two servers, server 2 is server
 * 0 again. One driver of the official Node clients serves every case of the layout.
 */
final class ClusterLayout implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    /** One server: the host (a cluster process) it runs in, and its name there, {@code "node/worker"}. */
    record Server(ClusterProcess host, String name) {
    }

    final List<ClusterProcess> hosts = new ArrayList<>();
    final List<Server> servers = new ArrayList<>();
    final RedisServer redis;
    final ClientDriver driver;

    private ClusterLayout(RedisServer redis) {
        this.redis = redis;
        this.driver = ClientDriver.start();
    }

    /**
     * The settings of every layout: a heartbeat short enough for the ping/pong cases (Node's engine 3 pings every
     * 50 ms; 100 ms here, for every session) and a ping timeout that a busy machine never reaches; and the timeout of
     * a server-side emit's answers, which Node's case waits 5 s for (its only delay), 2 s here.
     */
    static Map<String, String> properties(String node) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.socketio.ping-interval", "100ms");
        p.put("quarkus.socketio.ping-timeout", "20s");
        p.put("quarkus.socketio.ack-timeout", "2s");
        p.put("quarkus.socketio.cluster.node-id", node);
        return p;
    }

    /** A cluster of {@code workers} workers on one host. */
    static ClusterLayout oneHost(int workers) {
        ClusterLayout layout = new ClusterLayout(null);
        try {
            ClusterProcess host = ClusterProcess.start(JAR, workers, properties("solo"), "cluster-cases-" + workers);
            layout.hosts.add(host);
            for (int w = 1; w <= workers; w++) {
                layout.servers.add(new Server(host, "solo/" + w));
            }
            return layout;
        } catch (RuntimeException | AssertionError e) {
            layout.close();
            throw e;
        }
    }

    /** Two hosts on one Redis: host A with 2 workers, host B with 1. */
    static ClusterLayout twoHosts() {
        ClusterLayout layout = new ClusterLayout(RedisServer.start("cluster-cases"));
        try {
            Map<String, String> a = properties("host-a");
            a.put("quarkus.socketio.bus", "redis");
            a.put("quarkus.socketio.redis.url", layout.redis.url());
            Map<String, String> b = new HashMap<>(a);
            b.put("quarkus.socketio.cluster.node-id", "host-b");
            ClusterProcess hostA = ClusterProcess.launch(JAR, 2, a, "cluster-cases-host-a");
            layout.hosts.add(hostA);
            ClusterProcess hostB = ClusterProcess.launch(JAR, 1, b, "cluster-cases-host-b");
            layout.hosts.add(hostB);
            hostA.awaitReady(2);
            hostB.awaitReady(1);
            layout.servers.add(new Server(hostA, "host-a/1"));
            layout.servers.add(new Server(hostA, "host-a/2"));
            layout.servers.add(new Server(hostB, "host-b/1"));
            // every server has the main namespace's subscriptions: the bus joins them
            await().atMost(Duration.ofSeconds(20)).until(() -> layout.redis.subscribers("socket.io-request#/#") == 3);
            return layout;
        } catch (RuntimeException | AssertionError e) {
            layout.close();
            throw e;
        }
    }

    int size() {
        return servers.size();
    }

    /** Server {@code i} of Node's case, modulo the servers there are. */
    Server server(int i) {
        return servers.get(i % servers.size());
    }

    int indexOf(String name) {
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no server " + name + " in " + servers);
    }

    /**
     * Waits until every server subscribes to a namespace made for a case (on Redis, a server subscribes to its
     * namespace's channels as the namespace is made, as Node's adapter does; a broadcast published before would miss
     * it). Nothing to wait for on one host, whose bus reaches every worker.
     */
    void awaitNamespace(String nsp) {
        if (redis != null) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> redis.subscribers("socket.io-request#" + nsp + "#") == servers.size());
        }
    }

    /**
     * The requests that reached a server other than their session's: connections handed to the owner on its host,
     * and requests forwarded over the bus (the workers' counters, reported every second).
     */
    long notOnTheirOwner() {
        long n = 0;
        for (ClusterProcess host : hosts) {
            for (JsonNode w : host.cluster().path("workers")) {
                JsonNode e = w.path("stats").path("engine");
                n += e.path("connectionsHandedOff").asLong() + e.path("forwardedRequests").asLong();
            }
        }
        return n;
    }

    /**
     * A kept-alive connection held by server {@code s}: the host's primary gives a new connection to a worker at
     * random with its first request, a request of the application ({@code /cluster-engine-state}, which says which
     * server answered), and that worker serves what comes next on it. Tried until it is {@code s}'s.
     */
    Pinned pin(Server s) {
        for (int i = 0; i < 200; i++) {
            Pinned p = Pinned.open(s.host());
            Pinned.Response r = p.send("GET", "/cluster-engine-state", null);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            if (r.json().path("server").asText().equals(s.name())) {
                return p;
            }
            p.close();
        }
        throw new AssertionError("200 connections, none held by " + s.name());
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            for (ClusterProcess host : hosts) {
                host.close();
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** A raw HTTP/1.1 connection to a host. */
    static final class Pinned implements AutoCloseable {
        record Response(int status, String body) {
            JsonNode json() {
                try {
                    return JSON.readTree(body);
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + body, e);
                }
            }
        }

        final Socket socket;
        final InputStream in;
        final OutputStream out;

        private Pinned(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Pinned open(ClusterProcess host) {
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(host.address(), host.port()), 5000);
                s.setSoTimeout(20_000);
                return new Pinned(s);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        Response send(String method, String path, String body) {
            write(method, path, body);
            return read();
        }

        /** Sends the request now, reads its answer on another thread. */
        CompletableFuture<Response> sendAsync(String method, String path, String body) {
            write(method, path, body);
            return CompletableFuture.supplyAsync(this::read);
        }

        void write(String method, String path, String body) {
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                head += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + bytes.length + "\r\n";
            }
            try {
                out.write((head + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        Response read() {
            try {
                HttpAnswer answer = HttpAnswer.read(in);
                return new Response(answer.status(), answer.body());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Node's {@code AbortController.abort()}: the connection goes. */
        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // gone already
            }
        }
    }
}
