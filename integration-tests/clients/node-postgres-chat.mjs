// The chat demo's contract served by a Node socket.io 4.x server with @socket.io/postgres-adapter 0.5 on the same
// PostgreSQL as the Quarkus hosts, for the interoperability tests: "hello" on connect ({worker: 99, pid, node}),
// "chat" relayed to every other client and acknowledged with {ok, worker}, "join" (room) and "room" ({room, text}),
// POST /api/broadcast with {event, data}. Usage: node node-postgres-chat.mjs <port> <postgres-url> [node-id].
// Prints "listening <port>" once ready; SIGTERM closes the server and the pool.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";

const [port, url, node] = [Number(process.argv[2]), process.argv[3], process.argv[4] ?? "node"];
const pool = new pg.Pool({ connectionString: url });
pool.on("error", (e) => console.error("postgres", e.message));
await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`);

// 99 stands for "the Node server" where the Quarkus side says which worker relayed
const WORKER = 99;
const httpServer = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/api/broadcast") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const { event, data } = JSON.parse(body || "{}");
      if (!event) {
        res.writeHead(400).end();
        return;
      }
      io.emit(event, data);
      res.writeHead(202).end();
    });
    return;
  }
  res.writeHead(404).end();
});
const io = new Server(httpServer, { adapter: createAdapter(pool) });

io.on("connection", (socket) => {
  socket.emit("hello", { worker: WORKER, pid: process.pid, node });
  socket.on("chat", (text, cb) => {
    socket.broadcast.emit("chat", { text, from: socket.id, worker: WORKER, room: null });
    cb?.({ ok: true, worker: WORKER });
  });
  socket.on("join", (room, cb) => {
    socket.join(room);
    cb?.({ ok: true, worker: null });
  });
  socket.on("room", (m) => socket.to(m.room).emit("chat", { text: m.text, from: socket.id, worker: WORKER, room: m.room }));
  socket.on("servers", async (cb) => cb(await io.of("/").adapter.serverCount()));
  socket.on("fetch", async (room, cb) => cb((await io.in(room).fetchSockets()).map((s) => s.id).sort()));
  socket.on("ping-servers", async (cb) => cb(await io.serverSideEmitWithAck("ping", WORKER)));
  socket.on("ask-room", async (room, cb) => {
    try {
      cb({ answers: await io.to(room).timeout(5000).emitWithAck("question", "room?") });
    } catch (e) {
      cb({ error: e.message });
    }
  });
});
io.on("ping", (from, cb) => cb("pong from node to " + from));

httpServer.listen(port, "127.0.0.1", () => console.log("listening " + port));
const stop = async () => {
  io.close();
  await pool.end().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
