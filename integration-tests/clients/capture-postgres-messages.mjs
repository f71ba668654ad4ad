// Records what Node's @socket.io/postgres-adapter 0.5 and @socket.io/postgres-emitter 0.1 write to PostgreSQL, for
// the runtime's format tests (runtime/src/test/resources/dev/qsio/runtime/postgres/node-postgres-messages.jsonl):
// each line is one notification {source, what, channel, payload} and, for a message written to the attachments table,
// its row as base64 ({attachment}). No PostgreSQL is needed: both are given a pool that records the queries.
// Usage: node capture-postgres-messages.mjs > <file>
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/postgres-adapter";
import { Emitter } from "@socket.io/postgres-emitter";

const lines = [];
let what = "";
let nextId = 1;
const attachments = new Map();
let notificationHandler = null;

const pool = {
  async query(sql, params) {
    if (sql.startsWith("SELECT pg_notify")) {
      const [channel, payload] = params;
      const line = { source, what, channel, payload };
      const header = JSON.parse(payload);
      if (header.attachmentId) {
        line.attachment = Buffer.from(attachments.get(String(header.attachmentId))).toString("base64");
      }
      lines.push(line);
      return { rows: [] };
    }
    if (sql.startsWith("INSERT INTO")) {
      const id = String(nextId++);
      attachments.set(id, params[0]);
      return { rows: [{ id }] };
    }
    return { rows: [] };
  },
  async connect() {
    return {
      on(event, handler) {
        if (event === "notification") {
          notificationHandler = handler;
        }
      },
      async query() {},
      release() {},
      removeAllListeners() {},
    };
  },
};

const settle = () => new Promise((r) => setTimeout(r, 50));
/** A message from another server, as if PostgreSQL had delivered it. */
const deliver = async (message) => {
  await notificationHandler({ channel: "socket.io#/", payload: JSON.stringify(message) });
  await settle();
};

let source = "adapter";
const io = new Server({ adapter: createAdapter(pool, { heartbeatInterval: 60_000 }) });
io.on("ping", (from, cb) => cb("pong to " + from));
await settle();

what = "broadcast";
io.emit("news", "hello", 42);
await settle();
what = "broadcast to a room except another";
io.to("r1").except("muted").emit("news", { a: 1 });
await settle();
what = "broadcast with a binary value";
io.emit("bin", Buffer.from([1, 2, 3]));
await settle();
what = "broadcast over the threshold";
io.emit("big", "x".repeat(9000));
await settle();
what = "socketsJoin";
io.in("r1").socketsJoin("vip");
await settle();
what = "socketsLeave";
io.in("r1").socketsLeave("vip");
await settle();
what = "disconnectSockets";
io.in("r1").disconnectSockets(true);
await settle();
what = "serverSideEmit";
io.serverSideEmit("notify", "text");
await settle();

// another server says hello: it is counted, and requests wait for it
what = "heartbeat answering another server's initial heartbeat";
await deliver({ uid: "other", nsp: "/", type: 1 });
what = "fetchSockets";
io.fetchSockets().catch(() => {});
await settle();
what = "serverSideEmitWithAck";
io.serverSideEmitWithAck("ping", 1).catch(() => {});
await settle();
what = "broadcast with acknowledgements";
io.timeout(100).emitWithAck("question", "q?").catch(() => {});
await settle();
what = "fetchSockets response";
await deliver({ uid: "other", nsp: "/", type: 7, data: { opts: { rooms: [], except: [] }, requestId: "r-fetch" } });
what = "serverSideEmit response";
await deliver({ uid: "other", nsp: "/", type: 9, data: { requestId: "r-ping", packet: ["ping", 2] } });
what = "broadcast client count";
await deliver({ uid: "other", nsp: "/", type: 3, data: { requestId: "r-ack", packet: { type: 2, data: ["q"], nsp: "/" },
  opts: { rooms: [], except: [], flags: { timeout: 100 } } } });

source = "emitter";
const emitter = new Emitter(pool);
what = "emit";
emitter.emit("news", "from the emitter");
await settle();
what = "emit to a room except another";
emitter.to("r1").except("muted").emit("news", 1);
await settle();
what = "emit with a binary value";
emitter.emit("bin", Buffer.from([4, 5]));
await settle();
what = "emit in another namespace";
emitter.of("/chat").emit("news", "chat");
await settle();
what = "socketsJoin";
emitter.in("r1").socketsJoin("vip");
await settle();
what = "disconnectSockets";
emitter.disconnectSockets(true);
await settle();
what = "serverSideEmit";
emitter.serverSideEmit("notify", "from the emitter");
await settle();

source = "adapter";
what = "adapter close";
io.of("/").adapter.close();
await settle();
for (const line of lines) {
  console.log(JSON.stringify(line));
}
process.exit(0);
