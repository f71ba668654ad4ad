// The bench application on socket.io 4 run by Bun with @socket.io/bun-engine, the engine socket.io provides for
// Bun's own HTTP and WebSocket server (Bun.serve, itself built on uWebSockets) instead of Bun's polyfill of Node's
// HTTP server. One process: Bun has no cluster adapter of socket.io's to measure here.
// Usage: bun server-bun.mjs <port>
import { Server } from "socket.io";
import { Server as Engine } from "@socket.io/bun-engine";
import { serve, answerGcRequests } from "./app.mjs";

const port = Number(process.argv[2] ?? 18083);
answerGcRequests(() => Bun.gc(true));

const io = new Server();
const engine = new Engine({ path: "/socket.io/" });
io.bind(engine);
serve(io);

const server = Bun.serve({ hostname: "127.0.0.1", port, ...engine.handler() });
console.log(`bun ${Bun.version} (socket.io on @socket.io/bun-engine) listening on ${server.port}`);
