// A Node socket.io 4.x server with @socket.io/redis-adapter, for the interoperability tests: it joins the same
// Redis as a Quarkus cluster and offers the same events as the features test application (a subset, in
// node-server-events.mjs). Usage: node node-redis-server.mjs <port> <redis-url> [msgpack]. Prints "listening <port>"
// once ready. With "msgpack", the server uses socket.io-msgpack-parser.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import msgpackParser from "socket.io-msgpack-parser";
import { listen, serve } from "./node-server-events.mjs";

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
serve(io);
listen(httpServer, io, port, [pubClient, subClient]);
