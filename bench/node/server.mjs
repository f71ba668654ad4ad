// The bench application on Node's socket.io: "join" enters room "r", "pub" broadcasts its argument to the room as
// "msg", "echo" acknowledges with its argument, "whoami" with the pid of the process serving the socket.
// Usage: node server.mjs <port> [workers]; with workers > 0, a node:cluster primary starts that many workers,
// which share the port and reach each other through @socket.io/cluster-adapter. The load generator's clients use
// WebSocket only, so no sticky sessions are needed.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter, setupPrimary } from "@socket.io/cluster-adapter";

const port = Number(process.argv[2] ?? 18083);
// the harness asks for a garbage collection before it reads the resident memory (run with --expose-gc)
process.on("SIGUSR2", () => globalThis.gc?.());
const workers = Number(process.argv[3] ?? 0);

if (workers > 0 && cluster.isPrimary) {
  setupPrimary();
  for (let i = 0; i < workers; i++) cluster.fork();
  let ready = 0;
  cluster.on("listening", () => {
    if (++ready === workers) console.log(`node cluster of ${workers} listening on ${port}`);
  });
  cluster.on("exit", (w, code) => console.error(`worker ${w.process.pid} exited with ${code}`));
} else {
  const httpServer = createServer();
  const io = new Server(httpServer, workers > 0 ? { adapter: createAdapter() } : {});
  io.on("connection", (socket) => {
    socket.on("join", (...args) => {
      socket.join("r");
      const ack = args[args.length - 1];
      if (typeof ack === "function") ack();
    });
    socket.on("pub", (payload) => io.to("r").emit("msg", payload));
    socket.on("echo", (value, ack) => ack(value));
    socket.on("whoami", (ack) => ack(process.pid));
  });
  httpServer.listen(port, "127.0.0.1", () => {
    if (workers === 0) console.log(`node listening on ${port}`);
  });
}
