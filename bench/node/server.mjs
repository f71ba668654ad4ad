// The bench application (app.mjs) on Node's socket.io.
// Usage: node server.mjs <port> [workers] [uws]; with workers > 0, a node:cluster primary starts that many workers,
// which share the port and reach each other through @socket.io/cluster-adapter. The load generator's clients use
// WebSocket only, so no sticky sessions are needed. With "uws", socket.io is attached to a uWebSockets.js app
// (io.attachApp, socket.io's "maximum performance" setup) instead of Node's HTTP server: the official build is not on
// npm, @trufflesuite/uws-js-unofficial is; in a cluster each worker's app listens on the port itself (uWebSockets.js
// sets SO_REUSEPORT), and node:cluster is there for the adapter's messages.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { Server } from "socket.io";
import { createAdapter, setupPrimary } from "@socket.io/cluster-adapter";
import { serve, answerGcRequests } from "./app.mjs";

const port = Number(process.argv[2] ?? 18083);
const workers = Number(process.argv[3] ?? 0);
const uws = process.argv[4] === "uws";
answerGcRequests(globalThis.gc);

/** uWebSockets.js's native build for this Node, or the process ends: its fallback on `ws` would measure `ws`. */
function nativeUws() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@trufflesuite/uws-js-unofficial/package.json");
  const binary = `${pkg.slice(0, -"package.json".length)}binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    return require(binary);
  } catch (e) {
    console.error(`no native uWebSockets.js build for this Node (${binary}): ${e.message}`);
    process.exit(2);
  }
}

if (workers > 0 && cluster.isPrimary) {
  setupPrimary();
  for (let i = 0; i < workers; i++) cluster.fork();
  let ready = 0;
  const listening = () => {
    if (++ready === workers) console.log(`node cluster of ${workers} listening on ${port}`);
  };
  if (uws) {
    cluster.on("message", (w, m) => m === "listening" && listening());
  } else {
    cluster.on("listening", listening);
  }
  cluster.on("exit", (w, code) => console.error(`worker ${w.process.pid} exited with ${code}`));
} else {
  const options = workers > 0 ? { adapter: createAdapter() } : {};
  if (uws) {
    const { App } = nativeUws();
    const app = App();
    const io = new Server(options);
    io.attachApp(app);
    serve(io);
    app.listen("127.0.0.1", port, (token) => {
      if (!token) {
        console.error(`uWebSockets.js could not listen on ${port}`);
        process.exit(1);
      }
      if (workers > 0) process.send("listening");
      else console.log(`node (uWebSockets.js) listening on ${port}`);
    });
  } else {
    const httpServer = createServer();
    serve(new Server(httpServer, options));
    httpServer.listen(port, "127.0.0.1", () => {
      if (workers === 0) console.log(`node listening on ${port}`);
    });
  }
}
