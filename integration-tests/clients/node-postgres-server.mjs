// A Node socket.io 4.x server with @socket.io/postgres-adapter 0.5, for the interoperability tests: it joins the same
// PostgreSQL as a Quarkus cluster and offers the same events as node-redis-server.mjs (node-server-events.mjs).
// Usage: node node-postgres-server.mjs <port> <postgres-url>. Prints "listening <port>" once ready.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import { listen, serve } from "./node-server-events.mjs";

const [port, url] = [Number(process.argv[2]), process.argv[3]];
const pool = new pg.Pool({ connectionString: url });
pool.on("error", (e) => console.error("postgres", e.message));
await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`);

const httpServer = createServer();
const io = new Server(httpServer, { adapter: createAdapter(pool) });
serve(io);
listen(httpServer, io, port, [{ quit: () => pool.end() }]);
