// What one PostgreSQL carries in the PostgreSQL wire's pattern, without the hosts in the way: P publishing
// connections each send batches of N notifications in one statement (pg_notify over unnest, one transaction per
// batch, as PostgresChannels does), L connections LISTEN on the channel (one per server of a fleet); each payload is
// unique (PostgreSQL folds equal payloads of one transaction, which the wire avoids with a sequence number). Reports the
// notifications published and received per second and PostgreSQL's CPU per notification, with what the machine's other
// processes took meanwhile.
//   node bench/postgres-notify.mjs --url postgresql://postgres@127.0.0.1:5432/postgres --pid <postmaster pid>
//     [--publishers 2] [--listeners 2] [--batch 64] [--payload 100] [--warmup 3] [--seconds 10]
// The PostgreSQL is the caller's (bench/hosts --bus postgres starts its own; here any, e.g. initdb on a free port).
import { createRequire } from "node:module";
import { machineCpu, postgresCpu, procCpu } from "./cpu.mjs";

const require = createRequire(new URL("../integration-tests/clients/package.json", import.meta.url));
const { Client } = require("pg");

const opts = { url: "", pid: 0, publishers: 2, listeners: 2, batch: 64, payload: 100, warmup: 3, seconds: 10 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, "");
  if (!(key in opts)) throw new Error(`unknown argument ${argv[i]}`);
  opts[key] = typeof opts[key] === "number" ? Number(argv[i + 1]) : argv[i + 1];
}
if (!opts.url || !opts.pid) throw new Error("--url and --pid (the postmaster's) are required");

const channel = "socket.io#/";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const received = new Array(opts.listeners).fill(0);
let published = 0;
let running = true;

const listeners = [];
for (let i = 0; i < opts.listeners; i++) {
  const c = new Client({ connectionString: opts.url });
  await c.connect();
  c.on("notification", () => received[i]++);
  await c.query(`LISTEN "${channel}"`);
  listeners.push(c);
}

let seq = 0;
const pad = "x".repeat(Math.max(0, opts.payload - 12));
async function publisher() {
  const c = new Client({ connectionString: opts.url });
  await c.connect();
  const channels = new Array(opts.batch).fill(channel);
  while (running) {
    const payloads = [];
    for (let i = 0; i < opts.batch; i++) payloads.push(`${seq++}:${pad}`);
    await c.query("SELECT count(pg_notify(c, p)) FROM unnest($1::text[], $2::text[]) AS t(c, p)", [channels, payloads]);
    published += opts.batch;
  }
  await c.end();
}
const publishers = Array.from({ length: opts.publishers }, publisher);

await sleep(opts.warmup * 1000);
const at = (label) => ({ label, t: performance.now(), published, received: [...received], pg: postgresCpu(opts.pid),
  self: procCpu(process.pid), machine: machineCpu() });
const a = at("start");
await sleep(opts.seconds * 1000);
const b = at("end");
running = false;
await Promise.all(publishers);
await Promise.all(listeners.map((c) => c.end()));

const s = (b.t - a.t) / 1000;
const pub = (b.published - a.published) / s;
const recv = b.received.map((n, i) => (n - a.received[i]) / s);
const pgCpu = (b.pg - a.pg) / s;
const machine = (b.machine.busy - a.machine.busy) / s;
const self = (b.self - a.self) / s;
console.log(JSON.stringify({
  settings: opts,
  windowSeconds: Number(s.toFixed(2)),
  publishedPerSecond: Math.round(pub),
  receivedPerSecondPerListener: recv.map(Math.round),
  postgresCpuPerSecond: Number(pgCpu.toFixed(3)),
  postgresCpuMicrosPerNotification: Number(((pgCpu / pub) * 1e6).toFixed(1)),
  driverCpuPerSecond: Number(self.toFixed(3)),
  othersCpuPerSecond: Number((machine - pgCpu - self).toFixed(3)),
}, null, 1));
