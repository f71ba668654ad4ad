// The many-hosts capacity run: for each layout, one redis-server (or, with --bus postgres, one PostgreSQL) and H
// single-process hosts of the bench application on that bus (or one process on the local bus, "local"), R WebSocket
// receivers spread evenly over the hosts
// (all in room "r"), one publisher on host 1 emitting "pub" at a fixed rate. Measures deliveries, latency per host,
// and the CPU seconds of every host process, of redis-server and of this driver; derives the constants of the
// capacity model and checks its predictions. Started by bench/hosts (which builds and sets the limits); it can also
// analyse an earlier run again: node bench/hosts.mjs --analyze <dir>.
//
// Every process it starts is its child, in bench/hosts' process group; all are stopped at the end (SIGTERM, then
// SIGKILL after 10 s).
import { spawn, execSync } from "node:child_process";
import { officialClient } from "./official-client.mjs";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePorts } from "./ports.mjs";
import { procCpu, machineCpu, postgresCpu } from "./cpu.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);

// ---------------------------------------------------------------------------------------------------------------
// options
const defaults = {
  layouts: "local,1,2,3,4", // "local": one process, local bus, no Redis; a number: that many hosts on one Redis
  passes: 1, // the layouts are run this many times, one pass after the other
  receivers: 240, // R, divisible by 1..4 so that every host gets the same number
  rate: 100, // B, broadcasts per second in the main windows
  warmup: 10, // s, at B before the main window
  window: 20, // s, the main window
  idle: 10, // s, receivers connected, nothing published
  "redis-rate": 1000, // broadcasts per second in the bus window (one receiver per host)
  "redis-warmup": 5,
  "redis-window": 10,
  payload: 100, // characters
  bus: "redis", // the broker between the hosts: "redis", or "postgres" (initdb and pg_ctl of Debian's postgresql)
  jar: path.join(here, "quarkus-app/target/quarkus-app/quarkus-run.jar"),
  out: "",
  analyze: "",
  include: "", // with --analyze: the runs of more results directories (comma-separated), as further passes
};
const opts = { ...defaults };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--smoke") {
    Object.assign(opts, { layouts: "local,1,2", receivers: 12, rate: 20, warmup: 2, window: 3, idle: 2,
      "redis-rate": 200, "redis-warmup": 1, "redis-window": 2, smoke: true });
    continue;
  }
  if (!a.startsWith("--") || !(a.slice(2) in defaults)) throw new Error(`unknown argument ${a}`);
  const v = argv[++i];
  opts[a.slice(2)] = typeof defaults[a.slice(2)] === "number" ? Number(v) : v;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const log = (...m) => console.log(new Date().toISOString().slice(11, 19), ...m);

// ---------------------------------------------------------------------------------------------------------------
// a PostgreSQL of its own (Debian's postgresql): initdb in a temporary directory, the server on a free port; as root
// both run as the postgres user (initdb refuses root). Returns the child (the server) and where it listens.
function startPostgres(tag, port, logDir) {
  const versions = fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort((a, b) => b - a) : [];
  const bin = versions.length ? `/usr/lib/postgresql/${versions[0]}/bin` : path.dirname(execSync("command -v pg_ctl").toString().trim());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `qsio-bench-pg-${tag}-`));
  const asPostgres = process.getuid() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asPostgres.length) execSync(`chown postgres: ${dir}`);
  execSync([...asPostgres, `${bin}/initdb`, "-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "-E", "UTF8",
    "--locale=C", "--no-sync"].join(" "), { stdio: "ignore" });
  const [cmd, ...args] = [...asPostgres, `${bin}/postgres`, "-D", `${dir}/data`, "-p", String(port), "-k", dir,
    "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"];
  const child = start(`postgres-${tag}`, cmd, args, logDir);
  child.dir = dir;
  child.exited.then(() => fs.rmSync(dir, { recursive: true, force: true }));
  return child;
}

// a minimal Redis client: one command at a time, replies as strings
class RedisConn {
  constructor(port) {
    this.port = port;
  }
  async open() {
    this.sock = net.connect(this.port, "127.0.0.1");
    this.buf = "";
    this.waiting = null;
    this.sock.setEncoding("utf8");
    this.sock.on("data", (d) => {
      this.buf += d;
      this.tryReply();
    });
    await new Promise((res, rej) => {
      this.sock.once("connect", res);
      this.sock.once("error", rej);
    });
  }
  tryReply() {
    if (!this.waiting || this.buf.length < 3) return;
    const eol = this.buf.indexOf("\r\n");
    if (eol < 0) return;
    const head = this.buf.slice(0, eol);
    let value;
    let rest;
    if (head[0] === "$") {
      const len = Number(head.slice(1));
      // INFO replies are ASCII, so characters are bytes
      if (this.buf.length < eol + 2 + len + 2) return;
      value = this.buf.slice(eol + 2, eol + 2 + len);
      rest = this.buf.slice(eol + 2 + len + 2);
    } else {
      value = head.slice(1);
      rest = this.buf.slice(eol + 2);
      if (head[0] === "-") {
        this.buf = rest;
        const w = this.waiting;
        this.waiting = null;
        return w.reject(new Error(value));
      }
    }
    this.buf = rest;
    const w = this.waiting;
    this.waiting = null;
    w.resolve(value);
  }
  cmd(...args) {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(""));
    });
  }
  close() {
    this.sock?.destroy();
  }
}
function parseInfo(text) {
  const o = {};
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && line[0] !== "#") o[line.slice(0, i)] = line.slice(i + 1);
  }
  return o;
}
async function redisReading(conn) {
  if (!conn) return null;
  const info = parseInfo(await conn.cmd("INFO", "everything"));
  const cmd = (name) => {
    const v = info[`cmdstat_${name}`];
    if (!v) return { calls: 0, usec: 0 };
    const m = Object.fromEntries(v.split(",").map((kv) => kv.split("=")));
    return { calls: Number(m.calls), usec: Number(m.usec) };
  };
  return {
    cpu: Number(info.used_cpu_user) + Number(info.used_cpu_sys),
    publish: cmd("publish"),
    netIn: Number(info.total_net_input_bytes),
    netOut: Number(info.total_net_output_bytes),
    clients: Number(info.connected_clients),
    patterns: Number(info.pubsub_patterns),
    channels: Number(info.pubsub_channels),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// processes
const children = new Set();
function start(name, cmd, args, logDir) {
  const fd = fs.openSync(path.join(logDir, `${name}.log`), "a");
  const child = spawn(cmd, args, { stdio: ["ignore", fd, fd] });
  child.isRedis = false;
  fs.closeSync(fd);
  child.exited = new Promise((r) => child.once("exit", (code, sig) => r({ code, sig })));
  children.add(child);
  child.exited.then(() => children.delete(child));
  return child;
}
async function stopAll() {
  // the hosts first, then Redis, so that no host logs the loss of Redis while it stops
  for (const redis of [false, true]) {
    const list = [...children].filter((c) => c.isRedis === redis);
    for (const c of list) c.kill("SIGTERM");
    await Promise.race([Promise.all(list.map((c) => c.exited)), sleep(10_000)]);
    for (const c of list) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(list.map((c) => c.exited));
  }
}
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, async () => {
    await stopAll();
    process.exit(130);
  });
}
async function waitFor(what, fn, timeoutMs, child) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode})`);
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`${what}: no answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}
async function httpOk(port) {
  const r = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
  await r.text();
  return r.status === 200;
}

// ---------------------------------------------------------------------------------------------------------------
// clients
let io;
function loadClient() {
  io = officialClient();
}
function connect(port) {
  return new Promise((resolve, reject) => {
    const s = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false, forceNew: true,
      timeout: 20_000 });
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

// The receivers of one layout. Each message carries "<seq>:<ms since this process' time origin>:" and padding;
// receipts of the window's messages are counted and timed per host.
class Receivers {
  constructor(hosts) {
    this.hosts = hosts;
    this.sockets = [];
    this.count = new Array(hosts).fill(0); // receivers per host
    this.window = null;
  }
  async add(hostIndex, port) {
    const s = await connect(port);
    s.on("msg", (p) => this.onMessage(hostIndex, p));
    s.emit("join");
    const pid = await s.timeout(20_000).emitWithAck("whoami");
    this.sockets.push(s);
    this.count[hostIndex]++;
    return { socket: s, pid };
  }
  onMessage(h, p) {
    const t = now();
    if (this.probe) {
      this.probe.add(`${h}:${p}`);
      return;
    }
    const w = this.window;
    if (!w) return;
    const i = p.indexOf(":");
    const seq = Number(p.slice(0, i));
    if (seq < w.first || seq > w.last) return;
    const sent = Number(p.slice(i + 1, p.indexOf(":", i + 1)));
    const arr = w.lat[h];
    if (w.n[h] < arr.length) arr[w.n[h]] = t - sent;
    w.n[h]++;
  }
  close() {
    for (const s of this.sockets) s.close();
  }
}

function payload(seq, size) {
  const head = `${seq}:${now().toFixed(3)}:`;
  return head.length >= size ? head : head + "x".repeat(size - head.length);
}

// Publishes at `rate` for `seconds`, starting at sequence number `seq`; returns the next sequence number and the
// times of the first and last emit. Late emits are caught up (several per timer) so that the count stays exact.
async function publish(pub, rate, seconds, seq, size) {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const start = now();
  let i = 0;
  let first = 0;
  let last = 0;
  while (i < total) {
    const t = now();
    while (i < total && start + i * interval <= t) {
      if (i === 0) first = now();
      pub.emit("pub", payload(seq + i, size));
      last = now();
      i++;
    }
    const wait = start + i * interval - now();
    if (wait > 0) await sleep(Math.max(1, Math.floor(wait)));
    else await new Promise((r) => setImmediate(r));
  }
  return { next: seq + total, first, last, sent: total };
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// CPU readings of all processes of a layout, the driver and the machine
async function reading(layout) {
  return {
    t: now(),
    hosts: layout.hosts.map((h) => procCpu(h.pid)),
    redisProc: layout.redis && !layout.postgres ? procCpu(layout.redis.pid) : null,
    // PostgreSQL has no INFO: its CPU is read from its processes, under the same name, so that the model applies
    redis: layout.postgres ? { cpu: postgresCpu(layout.postgres()), publish: { calls: 0, usec: 0 }, netIn: 0, netOut: 0,
      clients: 0, patterns: 0, channels: 0 } : await redisReading(layout.redisConn),
    driver: process.cpuUsage(),
    machine: machineCpu(),
  };
}
function delta(a, b) {
  const dur = (b.t - a.t) / 1000;
  const hosts = b.hosts.map((v, i) => v - a.hosts[i]);
  const driver = (b.driver.user - a.driver.user + b.driver.system - a.driver.system) / 1e6;
  const redisProc = a.redisProc === null ? null : b.redisProc - a.redisProc;
  const redis = a.redis
    ? {
        cpu: b.redis.cpu - a.redis.cpu,
        publishCalls: b.redis.publish.calls - a.redis.publish.calls,
        publishUsec: b.redis.publish.usec - a.redis.publish.usec,
        netIn: b.redis.netIn - a.redis.netIn,
        netOut: b.redis.netOut - a.redis.netOut,
        clients: b.redis.clients,
        patterns: b.redis.patterns,
        channels: b.redis.channels,
      }
    : null;
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  const ours = hosts.reduce((x, y) => x + y, 0) + driver + (redisProc ?? 0);
  return {
    seconds: dur,
    hostCpu: hosts,
    redisCpu: redis ? redis.cpu : null,
    redisProcCpu: redisProc,
    redis,
    driverCpu: driver,
    machineBusy: busy,
    machineTotal: total,
    machineSteal: b.machine.steal - a.machine.steal,
    otherCpu: busy - ours,
  };
}

// One measured window at `rate` for `seconds` after `warmup` seconds; receipts of the window's messages are
// awaited for up to 3 s after its last emit.
async function measure(layout, recv, pub, rate, warmup, seconds, expectedPerMessage) {
  if (warmup > 0) layout.seq = (await publish(pub, rate, warmup, layout.seq, opts.payload)).next;
  const total = Math.round(rate * seconds);
  const cap = (h) => Math.ceil(total * recv.count[h] * 1.01) + 16;
  recv.window = {
    first: layout.seq,
    last: layout.seq + total - 1,
    n: new Array(layout.n).fill(0),
    lat: Array.from({ length: layout.n }, (_, h) => new Float32Array(cap(h))),
  };
  const a = await reading(layout);
  const p = await publish(pub, rate, seconds, layout.seq, opts.payload);
  const b = await reading(layout);
  layout.seq = p.next;
  const expected = p.sent * expectedPerMessage;
  const waitEnd = now() + 3000;
  while (recv.window.n.reduce((x, y) => x + y, 0) < expected && now() < waitEnd) await sleep(20);
  const w = recv.window;
  recv.window = null;
  const d = delta(a, b);
  const perHost = w.n.map((n, h) => {
    const sorted = Array.from(w.lat[h].subarray(0, Math.min(n, w.lat[h].length))).sort((x, y) => x - y);
    return { receivers: recv.count[h], delivered: n, expected: p.sent * recv.count[h],
      p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, sorted };
  });
  const all = perHost.flatMap((x) => x.sorted).sort((x, y) => x - y);
  const remote = perHost.slice(1).flatMap((x) => x.sorted).sort((x, y) => x - y);
  const delivered = w.n.reduce((x, y) => x + y, 0);
  for (const h of perHost) delete h.sorted;
  return {
    rate, warmup, sent: p.sent, publishSeconds: (p.last - p.first) / 1000, expected, delivered,
    deliveredPerSecond: delivered / d.seconds,
    p50: percentile(all, 50), p99: percentile(all, 99),
    local: { p50: perHost[0].p50, p99: perHost[0].p99 },
    remote: remote.length ? { p50: percentile(remote, 50), p99: percentile(remote, 99) } : null,
    perHost, ...d,
  };
}
async function idleWindow(layout, seconds) {
  const a = await reading(layout);
  await sleep(seconds * 1000);
  const b = await reading(layout);
  return delta(a, b);
}

// ---------------------------------------------------------------------------------------------------------------
// one layout: start, measure, stop
async function runLayout(spec, pass, logDir) {
  const local = spec === "local";
  const n = local ? 1 : Number(spec);
  // each host's HTTP port, the broker's, and each host's management interface (enabled in the bench application)
  const ports = await freePorts(2 * n + 1);
  const layout = { spec, n, pass, hosts: [], seq: 0 };
  const tag = `${spec}-p${pass}`;
  try {
    if (!local && opts.bus === "postgres") {
      const port = ports[n];
      layout.redis = startPostgres(tag, port, logDir);
      layout.redis.port = port;
      layout.redis.isRedis = true;
      const pidFile = path.join(layout.redis.dir, "data", "postmaster.pid");
      layout.postgres = () => Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
      await waitFor("postgres", async () => {
        execSync(`${process.getuid() === 0 ? "runuser -u postgres -- " : ""}psql -h ${layout.redis.dir} -p ${port} -U postgres -Atc "SELECT 1"`,
          { stdio: "ignore" });
        return true;
      }, 60_000, layout.redis);
    } else if (!local) {
      const port = ports[n];
      layout.redis = start(`redis-${tag}`, "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
        logDir);
      layout.redis.port = port;
      layout.redis.isRedis = true;
      layout.redisConn = new RedisConn(port);
      await waitFor("redis-server", async () => {
        await layout.redisConn.open();
        return (await layout.redisConn.cmd("PING")) === "PONG";
      }, 10_000, layout.redis);
    }
    const jvm = ["-Xmx2g", "-XX:+UseG1GC"];
    for (let i = 0; i < n; i++) {
      const props = [`-Dquarkus.http.port=${ports[i]}`, `-Dquarkus.management.port=${ports[n + 1 + i]}`];
      if (!local && layout.postgres) {
        props.push("-Dquarkus.socketio.bus=postgres",
          `-Dquarkus.datasource.reactive.url=postgresql://127.0.0.1:${layout.redis.port}/postgres`,
          "-Dquarkus.datasource.username=postgres", `-Dquarkus.socketio.cluster.node-id=host-${i + 1}`);
      } else if (!local) {
        props.push("-Dquarkus.socketio.bus=redis", `-Dquarkus.socketio.redis.url=redis://127.0.0.1:${layout.redis.port}`,
          `-Dquarkus.socketio.cluster.node-id=host-${i + 1}`);
      }
      const child = start(`host-${i + 1}-${tag}`, "java", [...jvm, ...props, "-jar", opts.jar], logDir);
      layout.hosts.push({ port: ports[i], pid: child.pid, child });
    }
    const t0 = now();
    await Promise.all(layout.hosts.map((h, i) => waitFor(`host ${i + 1}`, () => httpOk(h.port), 120_000, h.child)));
    log(`${tag}: ${n} host(s) answer after ${((now() - t0) / 1000).toFixed(1)} s`);

    const recv = new Receivers(n);
    const pub = await connect(layout.hosts[0].port);
    const pubPid = await pub.timeout(20_000).emitWithAck("whoami");
    if (pubPid !== layout.hosts[0].pid) throw new Error(`publisher on pid ${pubPid}, host 1 is ${layout.hosts[0].pid}`);
    // one receiver per host first (the bus window), checked to be served by that host's process
    for (let h = 0; h < n; h++) {
      const { pid } = await recv.add(h, layout.hosts[h].port);
      if (pid !== layout.hosts[h].pid) throw new Error(`receiver of host ${h + 1} on pid ${pid}`);
    }
    // the bus is ready when a broadcast from host 1 reaches the receiver of every host
    recv.probe = new Set();
    let k = 0;
    await waitFor("every host on the bus", async () => {
      pub.emit("pub", `probe-${++k}:0:`);
      await sleep(200);
      for (let j = k; j > 0; j--) {
        let all = true;
        for (let h = 0; h < n; h++) all &&= recv.probe.has(`${h}:probe-${j}:0:`);
        if (all) return true;
      }
      return false;
    }, 60_000);
    recv.probe = null;
    await sleep(500);

    // the bus window: one receiver per host, a high rate, so that the per-broadcast costs (publisher, each
    // receiving host, Redis) are large enough to read
    const result = { layout: spec, hosts: n, pass, pids: layout.hosts.map((h) => h.pid),
      redisPid: layout.redis?.pid ?? null };
    log(`${tag}: bus window, ${opts["redis-rate"]}/s to ${n} receiver(s)`);
    result.bus = await measure(layout, recv, pub, opts["redis-rate"], opts["redis-warmup"], opts["redis-window"], n);

    // the other receivers, spread evenly (host 1 gets the remainder, if any)
    const per = Array.from({ length: n }, (_, h) => Math.floor(opts.receivers / n) + (h < opts.receivers % n ? 1 : 0));
    const todo = [];
    for (let h = 0; h < n; h++) for (let j = 1; j < per[h]; j++) todo.push(h);
    const t1 = now();
    for (let i = 0; i < todo.length; i += 40) {
      await Promise.all(todo.slice(i, i + 40).map((h) => recv.add(h, layout.hosts[h].port)));
    }
    log(`${tag}: ${recv.sockets.length} receivers (${recv.count.join(" + ")}) in ${((now() - t1) / 1000).toFixed(1)} s`);
    await sleep(2000);
    result.idle = await idleWindow(layout, opts.idle);
    log(`${tag}: main window, ${opts.rate}/s to ${opts.receivers} receivers`);
    result.main = await measure(layout, recv, pub, opts.rate, opts.warmup, opts.window, opts.receivers);
    const m = result.main;
    log(`${tag}: delivered ${m.delivered} of ${m.expected} (${m.deliveredPerSecond.toFixed(0)}/s), p50 ${m.p50.toFixed(2)}`
      + ` p99 ${m.p99.toFixed(2)} ms; host CPU ${m.hostCpu.map((c) => c.toFixed(2)).join(" ")} s, redis `
      + `${m.redisCpu?.toFixed(3) ?? "-"} s, driver ${m.driverCpu.toFixed(2)} s, others ${m.otherCpu.toFixed(2)} s`);
    recv.close();
    pub.close();
    await sleep(300);
    return result;
  } finally {
    layout.redisConn?.close();
    await stopAll();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the model
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function analyze(results) {
  const { settings } = results;
  const R = settings.receivers;
  const B = settings.rate;
  const Bb = settings["redis-rate"];
  const runs = results.runs;
  const of = (spec) => runs.filter((r) => r.layout === String(spec));
  // per broadcast, each host's CPU above its own idle rate (seconds); averaged over passes
  const perBroadcast = (r, w, h) => (r[w].hostCpu[h] - (r.idle.hostCpu[h] / r.idle.seconds) * r[w].seconds) / r[w].sent;
  const redisPerMsg = (r, w) => (r[w].redisCpu - (r.idle.redisCpu / r.idle.seconds) * r[w].seconds) / r[w].sent;
  const avg = (spec, fn) => (of(spec).length ? mean(of(spec).map(fn)) : NaN);

  // calibration on the layouts of 1 and 2 hosts only
  const p11 = avg(1, (r) => perBroadcast(r, "main", 0));
  const p21 = avg(2, (r) => perBroadcast(r, "main", 0));
  const p22 = avg(2, (r) => perBroadcast(r, "main", 1));
  const cd = (2 * (p11 - p21)) / R; // CPU per delivery
  const cp = p11 - R * cd; // the publishing host's own cost per broadcast (the client's pub, the publish)
  const cr = p22 - (R / 2) * cd; // a receiving host's cost per broadcast that reaches it over Redis
  // the same from the bus windows (one delivery per host per broadcast, at the bus rate)
  const q11 = avg(1, (r) => perBroadcast(r, "bus", 0));
  const q21 = avg(2, (r) => perBroadcast(r, "bus", 0));
  const q22 = avg(2, (r) => perBroadcast(r, "bus", 1));
  // Redis: CPU per published message = a + b * H, from H = 1 and 2 (bus windows: the main ones are too small a cost
  // to read above Redis' idle)
  const r1 = avg(1, (r) => redisPerMsg(r, "bus"));
  const r2 = avg(2, (r) => redisPerMsg(r, "bus"));
  const b = r2 - r1;
  const a = r1 - b;
  const r1m = avg(1, (r) => redisPerMsg(r, "main"));
  const r2m = avg(2, (r) => redisPerMsg(r, "main"));
  const bm = r2m - r1m;
  const am = r1m - bm;
  // idle rates (CPU s/s) of a host with its receivers, and of Redis, from H = 1 and 2
  const idleHost = mean([...of(1), ...of(2)].flatMap((r) => r.idle.hostCpu.map((c) => c / r.idle.seconds)));
  const idleRedis = mean([...of(1), ...of(2)].map((r) => r.idle.redisCpu / r.idle.seconds));
  const local = of("local").length
    ? { perDelivery: avg("local", (r) => perBroadcast(r, "main", 0)) / R,
        perBroadcastBus: avg("local", (r) => perBroadcast(r, "bus", 0)),
        idle: avg("local", (r) => r.idle.hostCpu[0] / r.idle.seconds) }
    : null;
  const constants = { R, B, busRate: Bb, cd, cp, cr, p11, p21, p22, q11, q21, q22, redisA: a, redisB: b,
    redisAMain: am, redisBMain: bm, idleHost, idleRedis, local };

  // predicted against measured, per layout and pass
  const rows = [];
  for (const r of runs) {
    if (r.layout === "local") continue;
    const H = r.hosts;
    const m = r.main;
    const predHost = (h) => idleHost + B * ((h === 0 ? cp : cr) + (R / H) * cd);
    const predicted = { host1: predHost(0), other: H > 1 ? predHost(1) : null,
      hostsTotal: predHost(0) + (H - 1) * (H > 1 ? predHost(1) : 0), redis: idleRedis + B * (am + bm * H),
      redisBus: idleRedis + Bb * (a + b * H) };
    const measured = { host1: m.hostCpu[0] / m.seconds,
      other: H > 1 ? mean(m.hostCpu.slice(1)) / m.seconds : null,
      hostsTotal: m.hostCpu.reduce((x, y) => x + y, 0) / m.seconds, redis: m.redisCpu / m.seconds,
      redisBus: r.bus.redisCpu / r.bus.seconds };
    rows.push({ hosts: H, pass: r.pass, calibration: H <= 2, predicted, measured,
      deliveredPerSecond: m.deliveredPerSecond, delivered: m.delivered, expected: m.expected,
      p50: m.p50, p99: m.p99, local: m.local, remote: m.remote, driver: m.driverCpu / m.seconds,
      other: m.otherCpu / m.seconds, steal: m.machineSteal / m.seconds });
  }
  return { constants, rows };
}

const us = (s) => (s * 1e6).toFixed(1);
const pct = (x) => (x * 100).toFixed(1) + "%";
const f2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? "-" : x.toFixed(2));

function report(results) {
  const { constants: c, rows } = results.model;
  const s = results.settings;
  // the broker of the run: the report says Redis where it was Redis, PostgreSQL where it was PostgreSQL
  const broker = s.bus === "postgres" ? "PostgreSQL" : "Redis";
  const L = [];
  L.push(`# Many hosts: capacity run ${results.started}`, "");
  L.push(`Machine: ${results.machine.cpus} CPUs (${results.machine.model}), ${results.machine.memGb} GB, ${results.machine.kernel};`
    + ` Java ${results.machine.java}, Node ${process.version}, ${results.machine.redis}. Everything on this machine, over loopback.`, "");
  L.push(`Repository at ${results.commit}; application ${results.app?.jar ?? "-"} built ${results.app?.built ?? "-"}`
    + `${results.app?.source ? ` from ${results.app.source}` : ""}.`, "");
  L.push(`Settings: R = ${s.receivers} receivers spread evenly over the hosts, B = ${s.rate} broadcasts/s of ${s.payload}`
    + ` characters (${s.rate * s.receivers} deliveries/s), ${s.warmup} s warm-up then a ${s.window} s window; idle window`
    + ` ${s.idle} s; bus window ${s["redis-rate"]} broadcasts/s to one receiver per host (${s["redis-warmup"]} s warm-up,`
    + ` ${s["redis-window"]} s). Hosts: ${s.jvm}. Passes: ${s.passes}.`, "");
  L.push("## Windows", "");
  L.push(`| Layout | Pass | Delivered/s | Delivered of expected | p50 / p99 ms (all) | host 1 p50 / p99 | other hosts p50 / p99 | Host CPU s/s (each) | ${broker} CPU s/s | Driver CPU s/s | Others s/s | Idle host CPU s/s | Idle ${broker} s/s |`);
  L.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results.runs) {
    const m = r.main;
    L.push(`| ${r.layout} | ${r.pass} | ${m.deliveredPerSecond.toFixed(0)} | ${m.delivered} / ${m.expected} | ${f2(m.p50)} / ${f2(m.p99)}`
      + ` | ${f2(m.local.p50)} / ${f2(m.local.p99)} | ${m.remote ? `${f2(m.remote.p50)} / ${f2(m.remote.p99)}` : "-"}`
      + ` | ${m.hostCpu.map((x) => (x / m.seconds).toFixed(3)).join(", ")} | ${m.redisCpu === null ? "-" : (m.redisCpu / m.seconds).toFixed(4)}`
      + ` | ${(m.driverCpu / m.seconds).toFixed(3)} | ${(m.otherCpu / m.seconds).toFixed(3)}`
      + ` | ${r.idle.hostCpu.map((x) => (x / r.idle.seconds).toFixed(4)).join(", ")}`
      + ` | ${r.idle.redisCpu === null ? "-" : (r.idle.redisCpu / r.idle.seconds).toFixed(4)} |`);
  }
  L.push("", "Bus windows (one receiver per host):", "");
  L.push(`| Layout | Pass | Broadcasts/s | Delivered of expected | p50 / p99 ms host 1 | other hosts | Host CPU µs per broadcast (each, above idle) | ${broker} CPU µs per broadcast (above idle) | ${broker} PUBLISH µs per call (its own count) |`);
  L.push("|---|---|---|---|---|---|---|---|---|");
  for (const r of results.runs) {
    const w = r.bus;
    const hostUs = w.hostCpu.map((x, h) => us((x - (r.idle.hostCpu[h] / r.idle.seconds) * w.seconds) / w.sent));
    const red = w.redisCpu === null ? "-" : us((w.redisCpu - (r.idle.redisCpu / r.idle.seconds) * w.seconds) / w.sent);
    const pubUs = w.redis && w.redis.publishCalls ? (w.redis.publishUsec / w.redis.publishCalls).toFixed(2) : "-";
    L.push(`| ${r.layout} | ${r.pass} | ${(w.sent / w.seconds).toFixed(0)} | ${w.delivered} / ${w.expected}`
      + ` | ${f2(w.local.p50)} / ${f2(w.local.p99)} | ${w.remote ? `${f2(w.remote.p50)} / ${f2(w.remote.p99)}` : "-"}`
      + ` | ${hostUs.join(", ")} | ${red} | ${pubUs} |`);
  }
  L.push("", "## Constants (calibrated on the layouts of 1 and 2 hosts only)", "");
  L.push(`* c_d, host CPU per delivery: ${us(c.cd)} µs (from host 1 with 1 and with 2 hosts: ${us(c.p11)} and ${us(c.p21)} µs per broadcast)`);
  L.push(`* c_p, the publishing host's own cost per broadcast: ${us(c.cp)} µs`);
  L.push(`* c_r, a receiving host's cost per broadcast from ${broker}: ${us(c.cr)} µs (host 2 with 2 hosts: ${us(c.p22)} µs per broadcast)`);
  L.push(`* bus windows (${c.busRate}/s, one delivery per host): host 1 alone ${us(c.q11)} µs per broadcast; with 2 hosts host 1 ${us(c.q21)}, host 2 ${us(c.q22)} µs`);
  L.push(`* ${broker} CPU per published message = a + b × H: from the main windows a = ${us(c.redisAMain)} µs, b = ${us(c.redisBMain)} µs; from the bus windows (${c.busRate}/s) a = ${us(c.redisA)}, b = ${us(c.redisB)} µs`);
  L.push(`* idle: ${c.idleHost.toFixed(4)} CPU s/s per host with its receivers connected, ${broker} ${c.idleRedis.toFixed(4)}`);
  if (c.local) {
    L.push(`* one process on the local bus (no ${broker}): ${us(c.local.perDelivery)} µs per delivery (all costs over R), ${us(c.local.perBroadcastBus)} µs per broadcast to one receiver at ${c.busRate}/s, idle ${c.local.idle.toFixed(4)}`);
  }
  L.push("", `Model: host 1 (publishing) CPU/s = i + B × (c_p + (R/H) × c_d); every other host i + B × (c_r + (R/H) × c_d); ${broker} i_redis + B × (a + b × H), with a and b of the main windows (of the bus windows for the bus column).`, "");
  L.push("## Predicted against measured (CPU seconds per second)", "");
  L.push(`| Hosts | Pass | | Host 1 | Each other host | All hosts | ${broker} (main window) | ${broker} (bus window) |`);
  L.push("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const tag = r.calibration ? " (calibration)" : "";
    L.push(`| ${r.hosts}${tag} | ${r.pass} | predicted | ${r.predicted.host1.toFixed(3)} | ${r.predicted.other === null ? "-" : r.predicted.other.toFixed(3)} | ${r.predicted.hostsTotal.toFixed(3)} | ${r.predicted.redis.toFixed(4)} | ${r.predicted.redisBus.toFixed(4)} |`);
    L.push(`| | | measured | ${r.measured.host1.toFixed(3)} | ${r.measured.other === null ? "-" : r.measured.other.toFixed(3)} | ${r.measured.hostsTotal.toFixed(3)} | ${r.measured.redis.toFixed(4)} | ${r.measured.redisBus.toFixed(4)} |`);
  }
  const hs = [...new Set(rows.map((r) => r.hosts))];
  if (rows.length > hs.length) {
    L.push("", "Mean over the passes:", "");
    L.push(`| Hosts | Host 1 predicted / measured | Each other host | All hosts | Error, all hosts | ${broker} (main) | Error, ${broker} | Delivered/s | p50 / p99 ms, host 1 | other hosts |`);
    L.push("|---|---|---|---|---|---|---|---|---|---|");
    for (const H of hs) {
      const rs = rows.filter((r) => r.hosts === H);
      const m = (f) => mean(rs.map(f));
      const pv = rs[0].predicted;
      const oth = H > 1 ? `${pv.other.toFixed(3)} / ${m((r) => r.measured.other).toFixed(3)}` : "-";
      const rem = H > 1 ? `${m((r) => r.remote.p50).toFixed(2)} / ${m((r) => r.remote.p99).toFixed(2)}` : "-";
      L.push(`| ${H}${H <= 2 ? " (calibration)" : ""} | ${pv.host1.toFixed(3)} / ${m((r) => r.measured.host1).toFixed(3)} | ${oth}`
        + ` | ${pv.hostsTotal.toFixed(3)} / ${m((r) => r.measured.hostsTotal).toFixed(3)}`
        + ` | ${pct(m((r) => r.measured.hostsTotal) / pv.hostsTotal - 1)}`
        + ` | ${pv.redis.toFixed(4)} / ${m((r) => r.measured.redis).toFixed(4)} | ${pct(m((r) => r.measured.redis) / pv.redis - 1)}`
        + ` | ${m((r) => r.deliveredPerSecond).toFixed(0)} | ${m((r) => r.local.p50).toFixed(2)} / ${m((r) => r.local.p99).toFixed(2)} | ${rem} |`);
    }
  }
  L.push("");
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
async function main() {
  if (opts.analyze) {
    const file = path.join(opts.analyze, "results.json");
    const results = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const dir of String(opts.include).split(",").filter(Boolean)) {
      if (results.included?.includes(dir)) continue;
      const more = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8"));
      const base = Math.max(...results.runs.map((r) => r.pass));
      for (const r of more.runs) results.runs.push({ ...r, pass: base + r.pass, from: more.started });
      results.included = [...(results.included || []), dir];
      results.settings.passes = Math.max(...results.runs.map((r) => r.pass));
    }
    results.model = analyze(results);
    fs.writeFileSync(file, JSON.stringify(results, null, 2));
    fs.writeFileSync(path.join(opts.analyze, "results.md"), report(results));
    console.log(report(results));
    return;
  }
  loadClient();
  if (!fs.existsSync(opts.jar)) throw new Error(`${opts.jar} not found: build the bench first`);
  const out = opts.out || path.join(here, "results", `${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}-hosts`);
  const logDir = path.join(out, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  const sh = (c) => {
    try {
      return execSync(c, { stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
    } catch (e) {
      return (e.stderr || "").toString().trim().split("\n")[0];
    }
  };
  const results = {
    started: new Date().toISOString(),
    commit: sh(`git -C ${here} rev-parse --short HEAD`),
    app: { jar: opts.jar, built: fs.statSync(opts.jar).mtime.toISOString() },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30),
      kernel: `Linux ${os.release()}`, java: sh("java -version 2>&1 | head -1"),
      redis: opts.bus === "postgres" ? sh('"$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)/postgres" --version')
        : sh("redis-server --version"),
      loadBefore: os.loadavg() },
    settings: { ...opts, jvm: "-Xmx2g -XX:+UseG1GC, one process each", passes: opts.passes },
    runs: [],
  };
  const layouts = String(opts.layouts).split(",");
  for (let pass = 1; pass <= opts.passes; pass++) {
    // every other pass in the reverse order, so that a drift of the machine does not fall on the same layouts
    for (const spec of pass % 2 ? layouts : [...layouts].reverse()) {
      results.runs.push(await runLayout(spec, pass, logDir));
      fs.writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 2));
    }
  }
  results.machine.loadAfter = os.loadavg();
  results.finished = new Date().toISOString();
  const hasModel = layouts.includes("1") && layouts.includes("2");
  if (hasModel) results.model = analyze(results);
  fs.writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 2));
  if (hasModel) fs.writeFileSync(path.join(out, "results.md"), report(results));
  let ok = true;
  for (const r of results.runs) {
    const miss = 1 - r.main.delivered / r.main.expected;
    if (Math.abs(miss) > 0.01) {
      ok = false;
      console.log(`layout ${r.layout} pass ${r.pass}: delivered ${r.main.delivered} of ${r.main.expected}`);
    }
  }
  console.log(`report: ${out}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch(async (e) => {
  console.error(e);
  await stopAll();
  process.exit(2);
}).then(() => stopAll()).then(() => process.exit());
