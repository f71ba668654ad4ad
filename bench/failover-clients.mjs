// One of bench/failover.mjs's client processes: it holds a share of the official socket.io-client clients, records
// what each saw (its disconnects, connects, reconnection attempts, the broadcasts it missed) and answers the driver's
// requests over the IPC channel. Several of these split a herd's clients so that no single Node event loop, running
// late, adds its own delay to the times measured (one process with 1,000 clients ran 0.3 to 0.6 s late at p99 in a
// herd). Started by bench/failover.mjs with child_process.fork; never run alone.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { officialClient } from "./official-client.mjs";
import { sleep } from "./wait-for.mjs";

const io = officialClient();
const kinds = ["upgrade", "websocket", "polling"];
const clients = [];
let marks = new Map(); // client -> { connects, disconnects } when the driver marked the start of an event
let victims = [];
let loopDelay = null;

function open(url, indices) {
  for (const i of indices) {
    const kind = kinds[i % 3];
    const o = kind === "websocket" ? { transports: ["websocket"] } : kind === "polling" ? { transports: ["polling"] } : {};
    const s = io(url, { ...o, forceNew: true });
    // a third of the clients, of every kind, are anchors: never moved on purpose
    const anchor = Math.floor(i / 3) % 3 === 0;
    const c = { i, kind, s, anchor, pid: null, disconnects: [], connects: [], recoveries: [], attempts: [], errors: [],
      last: -1, missed: 0, disorder: 0, wasVictim: false, moved: false };
    s.on("connect", () => {
      c.connects.push(Date.now());
      c.recoveries.push(s.recovered === true);
      s.timeout(20_000).emitWithAck("join").catch(() => {});
      s.timeout(20_000).emitWithAck("whoami").then((pid) => (c.pid = pid), () => {});
    });
    s.on("disconnect", (reason) => c.disconnects.push({ at: Date.now(), reason }));
    s.io.on("reconnect_attempt", () => c.attempts.push(Date.now()));
    s.io.on("reconnect_error", (e) => c.errors.push({ at: Date.now(), error: String(e?.description?.message
      ?? e?.description ?? e?.message ?? e) }));
    s.on("msg", (m) => {
      const n = Number(m);
      if (c.last >= 0 && n !== c.last + 1) {
        if (n > c.last + 1) c.missed += n - c.last - 1;
        else c.disorder++;
      }
      c.last = Math.max(c.last, n);
    });
    clients.push(c);
  }
}

async function until(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

// A disconnect and the connect that ended it, as the client saw them: the time without a connection, and its parts.
function gap(c, d) {
  const connect = c.connects.find((t) => t >= d.at);
  const attempts = c.attempts.filter((t) => t >= d.at && t <= connect);
  const k = c.connects.indexOf(connect);
  return { kind: c.kind, ms: connect - d.at, at: d.at, reason: d.reason, recovered: c.recoveries[k],
    attempts: attempts.length,
    firstAttemptMs: (attempts[0] ?? NaN) - d.at,
    // from the attempt that succeeded to the connect: the servers' part (and the network's), without the client's
    // own reconnection delay
    attemptToConnectMs: connect - (attempts.at(-1) ?? NaN),
    errors: c.errors.filter((e) => e.at >= d.at && e.at <= connect).map((e) => e.error) };
}

function startEvent() {
  marks = new Map(clients.map((c) => [c, { connects: c.connects.length, disconnects: c.disconnects.length }]));
  // how late this process's own timers ran during the event (its clients' reconnection delays among them)
  loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
}

function endEvent() {
  loopDelay.disable();
  return { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
}

// every disconnect since the mark that the client did not ask for, with the connect that ended it
const lost = (c) => c.disconnects.slice(marks.get(c).disconnects).filter((d) => d.reason !== "io client disconnect");

const handlers = {
  async open({ url, indices }) {
    open(url, indices);
    await until(() => clients.every((c) => c.pid !== null), 120_000, "every client connected");
    return { clients: clients.length };
  },
  async pids() {
    return { pids: clients.map((c) => c.pid) };
  },
  async kill({ victimPid }) {
    startEvent();
    victims = clients.filter((c) => c.pid === victimPid);
    victims.forEach((c) => (c.wasVictim = true));
    return { victims: victims.length };
  },
  async back() {
    await until(() => victims.every((c) => c.connects.length > marks.get(c).connects), 60_000, "the victims back");
    const times = victims.map((c) => gap(c, c.disconnects[marks.get(c).disconnects]));
    const others = clients.filter((c) => !victims.includes(c));
    const disturbed = others.filter((c) => c.disconnects.length > marks.get(c).disconnects).length;
    return { times, others: others.length, disturbed, loopDelay: endEvent() };
  },
  async roll() {
    startEvent();
    return {};
  },
  async rolled() {
    // every client connected again after all its losses in the roll
    await until(() => clients.every((c) => c.s.connected && lost(c).every((d) => c.connects.some((t) => t >= d.at))),
      120_000, "every client connected after the roll");
    const times = clients.flatMap((c) => lost(c).map((d) => gap(c, d)));
    const moved = clients.filter((c) => lost(c).length > 0);
    moved.forEach((c) => (c.wasVictim = true));
    return { times, clients: clients.length, movedClients: moved.length,
      movedTwice: clients.filter((c) => lost(c).length > 1).length, loopDelay: endEvent() };
  },
  async move() {
    // the killed worker's clients, and those of the others that are free to move (all but the anchors), reconnect, so
    // that each kill finds about as many clients on its worker as the first
    const moving = clients.filter((c) => victims.includes(c) || !c.anchor);
    for (const c of moving) {
      c.pid = null;
      if (!victims.includes(c)) c.moved = true;
    }
    for (const c of moving) {
      c.s.disconnect();
      c.s.connect();
    }
    await until(() => clients.every((c) => c.pid !== null), 120_000, "the clients reconnected");
    return {};
  },
  async steady({ rate, seconds }) {
    // acknowledged messages of this process's polling-only clients, at its share of the rate
    const pollers = clients.filter((c) => c.kind === "polling");
    const rtts = [];
    let acked = 0;
    let failed = 0;
    const pending = [];
    const start = performance.now();
    for (let n = 0; pollers.length && performance.now() - start < seconds * 1000; n++) {
      const c = pollers[n % pollers.length];
      const t0 = performance.now();
      pending.push(c.s.timeout(10_000).emitWithAck("echo", "x").then(() => {
        rtts.push(performance.now() - t0);
        acked++;
      }, () => failed++));
      const wait = start + (n + 1) * (1000 / rate) - performance.now();
      await sleep(Math.max(1, wait));
    }
    await Promise.all(pending);
    return { rtts, acked, failed };
  },
  async summary() {
    const kept = clients.filter((c) => !c.wasVictim && !c.moved);
    return { neverKilled: kept.length, neverKilledMissed: kept.reduce((a, c) => a + c.missed + c.disorder, 0) };
  },
  async close() {
    for (const c of clients) c.s.close();
    setTimeout(() => process.exit(0), 100);
    return {};
  },
};

process.on("message", async ({ id, op, ...args }) => {
  try {
    process.send({ id, ok: true, ...(await handlers[op](args)) });
  } catch (e) {
    process.send({ id, ok: false, error: String(e?.stack ?? e) });
  }
});
process.on("disconnect", () => process.exit(0));
