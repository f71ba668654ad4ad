// A Node socket.io 4.x server with the sharded adapter of @socket.io/redis-adapter (sharded Pub/Sub, Redis 7) on a
// Redis Cluster, for the interoperability tests: the same events as node-redis-server.mjs (node-server-events.mjs).
// Usage: node node-sharded-server.mjs <port> <redis-url>[,<redis-url>...] [subscriptionMode]. The URLs are seeds of
// the cluster (any of its nodes); subscriptionMode is the adapter's ("static", "dynamic" by default,
// "dynamic-private"). Prints "listening <port>" once ready.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createShardedAdapter } from "@socket.io/redis-adapter";
// node-redis 6: its cluster client finds the new topology after a master dies and subscribes its sharded channels
// again where they live now (4.7 and 5.x kept trying the dead master: no broadcast crossed after a failover)
import { createCluster } from "redis-v6";
import { listen, serve } from "./node-server-events.mjs";

const [port, redisUrls, subscriptionMode] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const pubClient = createCluster({ rootNodes: redisUrls.split(",").map((url) => ({ url })) });
const subClient = pubClient.duplicate();
pubClient.on("error", (e) => console.error("redis pub", e.message));
subClient.on("error", (e) => console.error("redis sub", e.message));
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, {
  adapter: createShardedAdapter(pubClient, subClient, subscriptionMode ? { subscriptionMode } : {}),
});
serve(io);
listen(httpServer, io, port, [pubClient, subClient]);
