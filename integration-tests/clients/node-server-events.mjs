// The events of the Node socket.io servers of the interoperability tests (node-redis-server.mjs on one Redis,
// node-sharded-server.mjs on a Redis Cluster, node-postgres-server.mjs on PostgreSQL): the same as the features test
// application offers (a subset), so that a test can ask a Node server what it asks a Quarkus one.

/** Registers the events on the main namespace of `io`. */
export function serve(io) {
  const notifications = [];

  io.on("connection", (socket) => {
    socket.data.name = socket.handshake.auth?.name ?? "anonymous";
    socket.emit("welcome", socket.id, socket.data.name);
    socket.on("where", (cb) => cb("node"));
    socket.on("upper", (text, cb) => cb(String(text).toUpperCase()));
    socket.on("reverse", (data, cb) => cb(Buffer.from(data).reverse()));
    socket.on("join", (room, cb) => { socket.join(room); cb?.("joined " + room); });
    socket.on("everyone", (data) => io.emit("everyone", data));
    socket.on("to-room-all", (message) => io.to(message.room).emit("room-message", message, "server"));
    socket.on("fetch", async (room, cb) => cb((await io.in(room).fetchSockets()).map((s) => s.id).sort()));
    socket.on("fetch-details", async (room, cb) => {
      const sockets = await io.in(room).fetchSockets();
      cb(sockets.map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), name: String(s.data.name), auth: s.handshake.auth })));
    });
    socket.on("sockets-join", (room, target) => io.in(room).socketsJoin(target));
    socket.on("disconnect-room", (room) => io.in(room).disconnectSockets(false));
    // 99 stands for "the Node server" where the Quarkus side expects a worker id
    socket.on("ping-servers", async (cb) => cb(await io.serverSideEmitWithAck("ping", 99)));
    socket.on("notify-servers", (text) => io.serverSideEmit("notify", text));
    socket.on("notifications", (cb) => cb(notifications));
    socket.on("servers", async (cb) => cb(await io.of("/").adapter.serverCount()));
    socket.on("ask-room-timeout", async (room, timeoutMs, cb) => {
      try {
        cb({ answers: await io.to(room).timeout(timeoutMs).emitWithAck("question", "room?") });
      } catch (e) {
        cb({ error: e.message });
      }
    });
  });

  // events from the other servers (serverSideEmit)
  io.on("ping", (from, cb) => cb("pong from node to " + from));
  io.on("notify", (text) => notifications.push(text));
}

/**
 * Listens on `port` of the loopback, prints "listening <port>" once ready (what the Java launcher waits for), and on
 * SIGTERM or SIGINT closes `io` and the Redis clients, then exits.
 */
export function listen(httpServer, io, port, redisClients) {
  httpServer.listen(port, "127.0.0.1", () => console.log("listening " + port));
  const stop = async () => {
    io.close();
    await Promise.allSettled(redisClients.map((c) => c.quit()));
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
