// The clients of the fault campaign (integration-tests/campaign): official socket.io-client instances with their
// default options (only the transports and, for publishers, nothing else changed), a few Chromium pages running the
// client bundle the server serves, and the publishers of the numbered broadcast stream. Each records its history;
// the campaign's checker reads them afterwards.
//
// Usage: node campaign.mjs '<json config>'   (see the campaign's Clients class for the fields)
// Commands on stdin, one per line: "status", "probe", "finish <file>", "exit". Answers are JSON lines on stdout.
import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { io } from "socket.io-client";
import { launchChromium } from "./chromium.mjs";

const config = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const ROOMS = ["r0", "r1", "r2"];

// A subscriber's history, recorded the same way in Node and in a page (the function is sent to the page as text):
// its lifecycle events, the numbered broadcasts it received as runs of consecutive numbers per origin (a run breaks
// on any other number and on a new connection), and the outcome of each request it made with an acknowledgement.
//
// With the overload campaign's stream, each broadcast carries the time it was sent: the subscriber keeps the latency of
// each delivery in a histogram per phase (the phase the campaign last named), of 281 buckets: 1 ms up to 100 ms, 10 ms
// up to 1 s, 100 ms up to 10 s, and one for the rest. The publisher runs in the same process (pages: on the same
// machine's clock).
function subscriber(io, name, url, transports, rooms, ackEveryMs, askEveryMs, extra) {
  const h = { name, transports, events: [], runs: {}, acks: [], conn: 0, lat: {} };
  const opts = { ...(transports ? { transports } : {}), ...(extra ?? {}) };
  const socket = io(url, opts);
  const now = () => Date.now();
  const ack = (kind, timeout, event, ...args) => {
    const entry = [kind, now(), -1, 0, null];
    h.acks.push(entry);
    socket.timeout(timeout).emit(event, ...args, (err, res) => {
      // settled: 1 answered, 0 an error (timeout, or the connection lost); a second call would be a violation
      entry[3]++;
      if (entry[3] === 1) {
        entry[2] = err ? 0 : 1;
        entry[4] = now();
      }
      if (kind === "where" && !err) h.events.push([now(), "where", res]);
      if (kind === "ask" && !err) entry.push(res);
    });
    return entry;
  };
  // the rooms the server acknowledged for this socket: a recovered socket keeps them, a new one has none
  let joined = new Set();
  socket.on("connect", () => {
    h.conn++;
    const recovered = socket.recovered;
    h.events.push([now(), "connect", socket.id, recovered, socket.io.engine.transport.name]);
    ack("where", 10000, "where");
    if (!recovered) joined = new Set();
    // the application joins its rooms, as a real one would, until each is acknowledged; after a recovery, those whose
    // join was never acknowledged (the connection was lost meanwhile) too
    const join = (room, conn) => socket.timeout(10000).emit("join", room, (err) => {
      h.events.push([now(), err ? "join-failed" : "join", room]);
      if (!err) joined.add(room);
      else if (socket.connected && h.conn === conn) join(room, conn);
    });
    for (const room of rooms) if (!joined.has(room)) join(room, h.conn);
  });
  socket.on("disconnect", (reason) => h.events.push([now(), "disconnect", reason]));
  socket.on("connect_error", (err) => h.events.push([now(), "connect_error", String(err?.message ?? err)]));
  socket.io.on("open", () => socket.io.engine.on("upgrade", (t) => h.events.push([now(), "upgrade", t.name])));
  // when the client's reconnection delay ended and it tried again: what the server took of a time without connection
  socket.io.on("reconnect_attempt", (n) => h.events.push([now(), "reconnect_attempt", n]));
  socket.on("question", (q, cb) => cb("answer"));
  socket.on("n", (origin, seq, sentAt) => {
    if (typeof sentAt === "number") {
      const ms = Math.max(0, Date.now() - sentAt);
      const b = ms < 100 ? ms : ms < 1000 ? 100 + Math.floor((ms - 100) / 10) : ms < 10000 ? 190 + Math.floor((ms - 1000) / 100) : 280;
      const phase = globalThis.__phase ?? "run";
      (h.lat[phase] ??= new Array(281).fill(0))[b]++;
    }
    const key = origin;
    const runs = (h.runs[key] ??= []);
    const last = runs[runs.length - 1];
    const t = now();
    if (last && last[4] === h.conn && seq === last[1] + 1) {
      last[1] = seq;
      last[3] = t;
    } else {
      runs.push([seq, seq, t, t, h.conn]);
    }
  });
  const timers = [];
  if (ackEveryMs > 0) {
    timers.push(setInterval(() => socket.connected && ack("upper", 10000, "upper", "x"), ackEveryMs));
  }
  if (askEveryMs > 0) {
    timers.push(setInterval(() => socket.connected && ack("ask", 15000, "ask", 5000), askEveryMs));
  }
  return {
    h, socket,
    stop() { timers.forEach(clearInterval); },
    close() { timers.forEach(clearInterval); socket.disconnect(); },
  };
}

// A publisher: one socket straight to one host, WebSocket only, emitting "publish" [origin, seq, room] at a steady
// rate while connected, each with an acknowledgement. Its origin changes on each connection ("<name>.<n>"), so that
// the order of an origin's numbers is the order one server received them in.
function publisher(name, url, rate, pad) {
  const p = { name, url, events: [], pubs: [], conn: 0, seq: {} };
  const socket = io(url, { transports: ["websocket"] });
  const padding = pad > 0 ? "x".repeat(pad) : null;
  socket.on("connect", () => {
    p.conn++;
    p.events.push([Date.now(), "connect", socket.id, socket.recovered, "websocket"]);
    socket.timeout(10000).emit("where", (err, w) => { if (!err) p.events.push([Date.now(), "where", w]); });
  });
  socket.on("disconnect", (reason) => p.events.push([Date.now(), "disconnect", reason]));
  let n = 0;
  // the rate holds when this process gets little CPU: each tick sends what is due since the connection began (at most
  // a second's worth), not one broadcast per timer that fired
  let since = null;
  let sent = 0;
  socket.on("connect", () => { since = Date.now(); sent = 0; });
  const timer = setInterval(() => {
    if (!socket.connected || since === null) return;
    let due = Math.floor(((Date.now() - since) * rate) / 1000) - sent;
    if (due > rate) {
      // more than a second behind: the rest is skipped, not sent in one burst
      sent += due - rate;
      due = rate;
    }
    for (let k = 0; k < due; k++, sent++) publishOne();
  }, 1000 / rate);
  function publishOne() {
    const origin = `${name}.${p.conn}`;
    // four in five to everyone, the rest to one of the rooms
    const room = n++ % 5 === 4 ? ROOMS[n % ROOMS.length] : "all";
    const key = `${origin}/${room}`;
    const seq = (p.seq[key] ?? -1) + 1;
    p.seq[key] = seq;
    const entry = [key, seq, room, Date.now(), -1, 0];
    p.pubs.push(entry);
    const settle = (err) => {
      if (entry[4] === -1) {
        entry[4] = err ? 0 : 1;
        entry[5] = Date.now();
      }
    };
    if (padding === null) socket.timeout(10000).emit("publish", key, seq, room, settle);
    else socket.timeout(10000).emit("publish-at", key, seq, room, entry[3], padding, settle);
  }
  return { p, socket, stop() { clearInterval(timer); }, close() { clearInterval(timer); socket.disconnect(); } };
}

// Churn: sockets that come and go, join and leave rooms, ask for acknowledgements; what they receive is checked for
// duplicates and order only.
function churner(name, url, lifeMs) {
  const c = { name, sessions: [], stopped: false };
  const kinds = [undefined, ["websocket"], ["polling"]];
  let i = 0;
  let current;
  const next = () => {
    if (c.stopped) return;
    const room = ROOMS[i % 3];
    const s = subscriber(io, `${name}#${i}`, url, kinds[i % 3], [room], 700, 0);
    current = s;
    i++;
    c.sessions.push(s.h);
    const life = lifeMs / 2 + Math.floor(Math.random() * lifeMs);
    setTimeout(() => {
      if (s.socket.connected) s.socket.emit("leave", room);
      setTimeout(() => { s.close(); next(); }, 200);
    }, life);
  };
  next();
  // stopped, its current socket asks nothing more, so that what it asked settles before the history is taken
  return { c, stop() { c.stopped = true; current?.stop(); } };
}

// the subscribers' source addresses, when given (the overload campaign: well-behaved users come from many addresses,
// each under the server's limits per address); an agent only chooses the address, the client's options stay its own
const agents = (config.addresses ?? []).map((localAddress) => new Agent({ localAddress }));
const subs = [];
for (let i = 0; i < config.subscribers; i++) {
  const transports = [undefined, ["websocket"], ["polling"]][i % 3];
  const extra = agents.length > 0 ? { agent: agents[i % agents.length] } : undefined;
  subs.push(subscriber(io, `s${i}`, config.url, transports, ["all", ROOMS[i % 3]], config.ackEveryMs, config.askEveryMs, extra));
}
const pubs = config.publishers.map((u, i) => publisher(u.name, u.url, config.rate / config.publishers.length, config.pad ?? 0));
const churn = [];
const startChurn = () => {
  for (let i = 0; i < config.churners; i++) churn.push(churner(`c${churn.length}`, config.url, config.churnLifeMs));
};
// recoveries on purpose, with the churn: every so often one subscriber's connection is closed as a network failure
// would
let drops = null;
const startDrops = () => {
  if (config.dropEveryMs > 0) drops = setInterval(() => {
    const s = subs[Math.floor(Math.random() * subs.length)];
    if (s?.socket.connected) s.socket.io.engine.close();
  }, config.dropEveryMs);
};
if (!config.churnLater) {
  startChurn();
  startDrops();
}
// a socket of the campaign's own for fetchSockets and serverCount, through the load balancer
const probe = io(config.url, { transports: ["websocket"] });

// the pages: the served bundle, WebSocket then polling only then the default, each joined like a subscriber
let browser = null;
const pages = [];
if (config.pages > 0) {
  browser = await launchChromium();
  for (let i = 0; i < config.pages; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // a page that fails to load (a host starting or stalled behind the load balancer) is loaded again, as a person
    // would reload it
    for (let attempt = 1; ; attempt++) {
      try {
        await page.goto(`${config.url}/api/worker`);
        await page.addScriptTag({ url: `${config.url}/socket.io/socket.io.min.js` });
        break;
      } catch (e) {
        if (attempt === 5) throw e;
        process.stderr.write(`page ${i}: ${e.message}; loading it again\n`);
      }
    }
    const transports = [["websocket"], ["polling"], null][i % 3];
    await page.evaluate(([fn, name, transports, rooms, ackEveryMs]) => {
      const make = new Function(`return (${fn})`)();
      window.sub = make(window.io, name, undefined, transports ?? undefined, rooms, ackEveryMs, 0);
    }, [subscriber.toString(), `page${i}`, transports, ["all", ROOMS[i % 3]], config.ackEveryMs]);
    pages.push(page);
  }
}

async function status() {
  const pageStates = await Promise.all(pages.map((p) => p.evaluate(() => window.sub.socket.connected).catch(() => false)));
  return {
    event: "status",
    subscribers: subs.length + pages.length,
    connected: subs.filter((s) => s.socket.connected).length + pageStates.filter(Boolean).length,
    disconnectedNames: subs.filter((s) => !s.socket.connected).map((s) => s.h.name),
    published: pubs.reduce((n, x) => n + x.p.pubs.length, 0),
    publishersConnected: pubs.filter((x) => x.socket.connected).length,
  };
}

function probeCall(event, ...args) {
  return new Promise((resolve) => {
    if (!probe.connected) return resolve({ error: "probe not connected" });
    probe.timeout(10000).emit(event, ...args, (err, res) => resolve(err ? { error: String(err.message ?? err) } : { value: res }));
  });
}

async function finish(file) {
  if (drops) clearInterval(drops);
  pubs.forEach((x) => x.stop());
  churn.forEach((x) => x.stop());
  subs.forEach((s) => s.stop());
  // the last acknowledgements and broadcasts settle (every request has a timeout of at most 15 s)
  const deadline = Date.now() + 20000;
  const unsettled = () => [...subs.map((s) => s.h), ...churn.flatMap((x) => x.c.sessions)].some((h) => h.acks.some((a) => a[2] === -1))
    || pubs.some((x) => x.p.pubs.some((e) => e[4] === -1));
  while (unsettled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 3000));
  // the pages' own requests settle too (each has a timeout of 10 s)
  await Promise.all(pages.map((p) => p.evaluate(() => window.sub.stop()).catch(() => {})));
  for (const p of pages) {
    await p.waitForFunction(() => window.sub.h.acks.every((a) => a[2] !== -1), null, { timeout: 20000 }).catch(() => {});
  }
  const pageHistories = await Promise.all(pages.map((p) => p.evaluate(() => window.sub.h)));
  const history = {
    subscribers: [...subs.map((s) => ({ ...s.h, kind: "node" })), ...pageHistories.map((h) => ({ ...h, kind: "page" }))],
    publishers: pubs.map((x) => x.p),
    churn: churn.flatMap((x) => x.c.sessions),
  };
  writeFileSync(file, JSON.stringify(history));
  out({ event: "finished", file });
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const [cmd, arg] = line.trim().split(/\s+/, 2);
  try {
    if (cmd === "status") out(await status());
    else if (cmd === "probe") {
      const [fetch, servers] = await Promise.all([probeCall("fetch", "all"), probeCall("servers")]);
      // the subscribers that fetchSockets does not see, by name
      const ids = new Set(fetch.value ?? []);
      const pageIds = await Promise.all(pages.map((p) => p.evaluate(() => [window.sub.h.name, window.sub.socket.id]).catch(() => [null, null])));
      const all = [...subs.map((s) => [s.h.name, s.socket.id]), ...pageIds];
      // with what each went through lately, to tell a socket that is not in the room from one the servers lost
      const missing = all.filter(([, id]) => !ids.has(id)).map(([name, id]) =>
        `${name} ${id} ${JSON.stringify(subs.find((s) => s.h.name === name)?.h.events.slice(-8) ?? [])}`);
      out({ event: "probe", fetch: { count: fetch.value?.length ?? -1, error: fetch.error, missing }, servers });
    } else if (cmd === "finish") await finish(arg);
    else if (cmd === "lag") {
      // how late this process's event loop ran its callbacks since the last ask (its share of a reconnection's time)
      const ms = (ns) => Math.round(ns / 1e5) / 10;
      out({ event: "lag", p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max),
        mean: ms(loopDelay.mean) });
      loopDelay.reset();
    } else if (cmd === "phase") {
      globalThis.__phase = arg;
      await Promise.all(pages.map((p) => p.evaluate((name) => { globalThis.__phase = name; }, arg).catch(() => {})));
      out({ event: "phase", name: arg });
    }
    else if (cmd === "churn") {
      if (arg === "on") {
        startChurn();
        startDrops();
      } else {
        churn.forEach((x) => x.stop());
        if (drops) clearInterval(drops);
      }
      out({ event: "churn", on: arg === "on" });
    }
    else if (cmd === "exit") {
      subs.forEach((s) => s.close());
      pubs.forEach((x) => x.close());
      probe.disconnect();
      if (browser) await browser.close();
      out({ event: "bye" });
      process.exit(0);
    }
  } catch (e) {
    out({ event: "error", command: cmd, message: String(e?.stack ?? e) });
  }
});
rl.on("close", async () => {
  if (browser) await browser.close().catch(() => {});
  process.exit(0);
});
out({ event: "ready" });
