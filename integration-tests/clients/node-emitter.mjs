// Node's emitters, for the emitter tests: @socket.io/redis-emitter 5 on a Redis (with the redis client 4) or
// @socket.io/postgres-emitter 0.1 on a PostgreSQL (with pg), reaching the servers of a fleet from a process that serves
// no sockets. Usage: node node-emitter.mjs redis|postgres <url> '<operations as JSON>', each operation
// {op: emit|socketsJoin|socketsLeave|disconnectSockets|serverSideEmit, namespace, rooms, except, event, args, target,
// close}. Prints "done" once every operation was published, then exits.
import { createClient } from "redis";
import { Emitter as RedisEmitter } from "@socket.io/redis-emitter";
import { Emitter as PostgresEmitter } from "@socket.io/postgres-emitter";
import pg from "pg";

const [kind, url, json] = process.argv.slice(2);
let emitter;
let close;
if (kind === "redis") {
  const client = createClient({ url });
  await client.connect();
  emitter = new RedisEmitter(client);
  close = () => client.quit();
} else {
  const pool = new pg.Pool({ connectionString: url });
  emitter = new PostgresEmitter(pool);
  close = () => pool.end();
}

for (const o of JSON.parse(json)) {
  let e = o.namespace ? emitter.of(o.namespace) : emitter;
  for (const room of o.rooms ?? []) e = e.to(room);
  for (const room of o.except ?? []) e = e.except(room);
  switch (o.op) {
    case "emit":
      e.emit(o.event, ...(o.args ?? []));
      break;
    case "socketsJoin":
      e.socketsJoin(o.target);
      break;
    case "socketsLeave":
      e.socketsLeave(o.target);
      break;
    case "disconnectSockets":
      e.disconnectSockets(o.close ?? false);
      break;
    case "serverSideEmit":
      e.serverSideEmit(o.event, ...(o.args ?? []));
      break;
  }
}
// the emitters publish asynchronously: give the last publication time to leave
await new Promise((r) => setTimeout(r, 500));
await close();
console.log("done");
