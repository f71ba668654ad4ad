package dev.qsio.bench.nettysocketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;

/**
 * The bench application on netty-socketio: {@code join} enters room "r", {@code pub} broadcasts its argument to the
 * room as {@code msg}, {@code all} to every client as {@code msg}, {@code echo} acknowledges with its argument,
 * {@code whoami} with this process's pid.
 * Usage: {@code NettySocketIoBench <port>}.
 */
public final class NettySocketIoBench {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = ProcessHandle.current().pid();
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        // the same transport as the other JVM targets
        config.setUseLinuxNativeEpoll(true);
        config.setTransports(Transport.WEBSOCKET, Transport.POLLING);
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setAcceptBackLog(4096);
        config.setSocketConfig(socket);

        SocketIOServer server = new SocketIOServer(config);
        server.addEventListener("join", Object.class, (client, data, ack) -> client.joinRoom("r"));
        server.addEventListener("pub", String.class,
                (client, payload, ack) -> server.getRoomOperations("r").sendEvent("msg", payload));
        server.addEventListener("all", String.class,
                (client, payload, ack) -> server.getBroadcastOperations().sendEvent("msg", payload));
        server.addEventListener("echo", String.class, (client, value, ack) -> ack.sendAckData(value));
        server.addEventListener("whoami", Object.class, (client, data, ack) -> ack.sendAckData(pid));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        System.out.println("netty-socketio listening on " + port);
        Thread.currentThread().join();
    }
}
