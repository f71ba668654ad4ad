// A Node socket.io 4.x server with @socket.io/redis-streams-adapter on one Redis, with connection state recovery on,
// for the interoperability tests: the same events as node-redis-server.mjs (node-server-events.mjs).
// Usage: node node-streams-server.mjs <port> <redis-url>. Prints "listening <port>" once ready.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import { listen, serve } from "./node-server-events.mjs";

const [port, redisUrl] = [Number(process.argv[2]), process.argv[3]];
const redisClient = createClient({ url: redisUrl });
redisClient.on("error", (e) => console.error("redis", e.message));
await redisClient.connect();

const httpServer = createServer();
const io = new Server(httpServer, {
  adapter: createAdapter(redisClient),
  connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true },
});
serve(io);
listen(httpServer, io, port, [redisClient]);
