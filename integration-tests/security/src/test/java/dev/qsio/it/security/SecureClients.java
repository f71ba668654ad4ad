package dev.qsio.it.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.testkit.ClientSocket;
import dev.qsio.testkit.ConnectErrorException;
import dev.qsio.testkit.SocketIoConnector;
import dev.qsio.testkit.Transport;

/** Clients of the test kit (the Java client) with credentials as a header or in the auth payload. */
final class SecureClients implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** A client to connect: where, and with which credentials. */
    static final class Client {
        final SocketIoConnector connector;
        ClientSocket socket;

        Client(SocketIoConnector connector) {
            this.connector = connector;
        }
    }

    private final List<Client> clients = new ArrayList<>();

    /** A client of {@code url}; {@code bearer} goes in the Authorization header, {@code token} in the auth. */
    Client open(String url, Transport[] transports, String bearer, String token) {
        SocketIoConnector connector = SocketIoConnector.to(url).transports(transports).timeout(TIMEOUT);
        if (bearer != null) {
            connector = connector.header("Authorization", "Bearer " + bearer);
        }
        if (token != null) {
            connector = connector.auth(Map.of("token", token));
        }
        Client client = new Client(connector);
        clients.add(client);
        return client;
    }

    /** Connects; the connect_error's message when refused, null when connected. */
    static String connect(Client client) {
        try {
            client.socket = client.connector.connectAndAwait();
            return null;
        } catch (ConnectErrorException e) {
            return e.getMessage();
        }
    }

    /** The first argument of the acknowledgement of {@code event}. */
    static JsonNode call(Client client, String event, Object... args) {
        return client.socket.emitAndAwaitAck(event, args).arg();
    }

    @Override
    public void close() {
        clients.stream().filter(c -> c.socket != null).forEach(c -> c.socket.close());
    }
}
