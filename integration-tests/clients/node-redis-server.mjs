// A Node socket.io 4.x server with @socket.io/redis-adapter, for the interoperability tests: it joins the same
// Redis as a Quarkus cluster and offers the same events as the features test application (a subset).
// Usage: node node-redis-server.mjs <port> <redis-url> [msgpack]. Prints "listening <port>" once ready. With
// "msgpack", the server uses socket.io-msgpack-parser.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import msgpackParser from "socket.io-msgpack-parser";

const [port, redisUrl, parser] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const pubClient = createClient({ url: redisUrl });
const subClient = pubClient.duplicate();
pubClient.on("error", (e) => console.error("redis pub", e.message));
subClient.on("error", (e) => console.error("redis sub", e.message));
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, {
  adapter: createAdapter(pubClient, subClient),
  ...(parser === "msgpack" ? { parser: msgpackParser } : {}),
});
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

httpServer.listen(port, "127.0.0.1", () => console.log("listening " + port));
const stop = async () => {
  io.close();
  await Promise.allSettled([pubClient.quit(), subClient.quit()]);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
