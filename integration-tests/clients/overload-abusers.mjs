// The abusers of the overload campaign (integration-tests/campaign, Overload), in a process of their own so that their
// work does not delay the well-behaved clients' event loop (campaign.mjs), whose latencies are the measure:
// - slow readers: WebSocket clients (raw TCP) that join a room and then never read again (a paused stream);
// - flooders: official socket.io-client instances (default options) emitting events as fast as their connection takes
//   them, and reconnecting as the client does when the server closes them;
// - a handshake storm: Engine.IO handshakes (polling) at a fixed rate from given source addresses;
// - a password guesser: official clients logging in to the Admin UI's namespace with wrong passwords, one after the
//   other, a few at a time.
// Every kind counts its outcomes. Each abuser chooses its source address (127.x.y.z: all of 127/8 is this host's), so
// that the server's limits per address see them as the clients of the addresses they would be.
//
// Usage: node overload-abusers.mjs '{"url": "http://127.0.0.1:8080"}'
// Commands on stdin, one JSON object per line: {"cmd": "slow", "count", "room", "from": [addresses]},
// {"cmd": "flood", "count", "from"}, {"cmd": "storm", "rate", "from"}, {"cmd": "guess", "namespace", "user",
// "parallel", "from"}, {"cmd": "stop", "what": "slow|flood|storm|guess"}, {"cmd": "report"}, {"cmd": "exit"}.
// Answers are JSON lines on stdout.
import { createInterface } from "node:readline";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { io } from "socket.io-client";

const config = JSON.parse(process.argv[2]);
const target = new URL(config.url);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const counts = {};
const count = (key, n = 1) => { counts[key] = (counts[key] ?? 0) + n; };
const agents = new Map();
const agentFor = (from) => {
  if (!agents.has(from)) agents.set(from, new Agent({ localAddress: from, keepAlive: true, maxSockets: 64 }));
  return agents.get(from);
};

// a masked WebSocket text frame (clients mask; the key is zero, which masks nothing)
function frame(text) {
  const payload = Buffer.from(text);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0])
    : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff, 0, 0, 0, 0]);
  return Buffer.concat([head, payload]);
}

// ---- slow readers
let slow = [];
function slowReader(from, room) {
  const r = { socket: null, state: "connecting", ended: null };
  const s = connect({ host: target.hostname, port: Number(target.port), localAddress: from });
  r.socket = s;
  let head = Buffer.alloc(0);
  const onData = (d) => {
    head = Buffer.concat([head, d]);
    if (head.indexOf("\r\n\r\n") < 0) return;
    s.off("data", onData);
    if (!head.subarray(0, 16).toString("latin1").includes(" 101")) {
      r.state = "refused";
      count(`slow.refused.${head.subarray(9, 12).toString("latin1")}`);
      s.destroy();
      return;
    }
    // the Socket.IO CONNECT and the join, then nothing more is read
    s.write(frame("40"));
    s.write(frame(`42["join","${room}"]`));
    s.pause();
    r.state = "paused";
    count("slow.paused");
  };
  s.on("data", onData);
  s.on("error", (e) => { if (!r.ended) r.ended = e.code ?? "error"; });
  s.on("close", () => { if (!r.ended) r.ended = "closed"; });
  s.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n`
    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  return r;
}

// What became of the slow readers: each reads again, drains what the kernel held, and meets either the end the server
// made of it (an end of stream or a reset) or, within a few seconds, nothing (still open).
async function settleSlow() {
  await Promise.all(slow.map((r) => new Promise((resolve) => {
    if (r.state !== "paused") return resolve();
    const done = (how) => { if (!r.outcome) { r.outcome = how; count(`slow.outcome.${how}`); } resolve(); };
    if (r.socket.destroyed) return done(r.ended === "ECONNRESET" ? "reset" : "closed");
    r.socket.on("data", () => {});
    r.socket.on("end", () => done("closed"));
    r.socket.on("error", (e) => done(e.code === "ECONNRESET" ? "reset" : "closed"));
    r.socket.on("close", () => done("closed"));
    r.socket.resume();
    setTimeout(() => { done("open"); r.socket.destroy(); }, 5000);
  })));
  slow = [];
}

// ---- flooders
let floods = [];
function flooder(i, from) {
  const f = { socket: null, sent: 0, stopped: false };
  const socket = io(config.url, { agent: agentFor(from), forceNew: true });
  f.socket = socket;
  socket.on("connect", () => { count("flood.connect"); pump(); });
  socket.on("disconnect", (reason) => count(`flood.disconnect.${reason}`));
  socket.on("connect_error", (e) => count(`flood.connect_error.${String(e?.message ?? e).slice(0, 60)}`));
  // as fast as the connection takes them: a batch per turn, while the client's own buffer is short
  const pump = () => {
    if (f.stopped || !socket.connected) return;
    const engine = socket.io.engine;
    if (engine.writeBuffer.length < 200) {
      for (let k = 0; k < 50; k++, f.sent++) socket.emit("publish", `F${i}`, f.sent, `flood-${i}`);
      count("flood.emitted", 50);
    }
    setImmediate(pump);
  };
  return f;
}

// ---- the handshake storm
let storm = null;
function startStorm(rate, from) {
  const st = { timer: null, inFlight: 0, started: Date.now(), due: 0 };
  let k = 0;
  const one = () => {
    const address = from[k++ % from.length];
    st.inFlight++;
    const req = request({ host: target.hostname, port: Number(target.port), agent: agentFor(address),
      path: "/socket.io/?EIO=4&transport=polling" }, (res) => {
      count(`storm.status.${res.statusCode}`);
      res.resume();
      res.on("end", () => st.inFlight--);
    });
    req.on("error", (e) => { count(`storm.error.${e.code ?? "error"}`); st.inFlight--; });
    req.end();
  };
  // each tick sends what is due since the start; past 500 requests under way, what is due is counted as not sent (the
  // server or this process is behind), not queued
  st.timer = setInterval(() => {
    const due = Math.floor(((Date.now() - st.started) * rate) / 1000) - st.due;
    st.due += due;
    for (let n = 0; n < due; n++) {
      if (st.inFlight >= 500) count("storm.notSent");
      else { count("storm.sent"); one(); }
    }
  }, 10);
  return st;
}

// ---- the password guesser
let guess = null;
function startGuesser(namespace, user, parallel, from) {
  const g = { stopped: false, n: 0 };
  const attempt = () => {
    if (g.stopped) return;
    const socket = io(config.url + namespace, { auth: { username: user, password: `guess-${g.n++}` },
      transports: ["websocket"], reconnection: false, forceNew: true, agent: agentFor(from) });
    count("guess.attempts");
    const next = (outcome) => {
      count(`guess.${outcome}`);
      socket.close();
      setImmediate(attempt);
    };
    socket.on("connect", () => next("accepted"));
    socket.on("connect_error", (e) => next(`refused.${String(e?.message ?? e).replace(/\d+/g, "N").slice(0, 60)}`));
  };
  for (let i = 0; i < parallel; i++) attempt();
  return g;
}

async function stop(what) {
  if (what === "slow") await settleSlow();
  if (what === "flood") {
    floods.forEach((f) => { f.stopped = true; f.socket.close(); });
    floods = [];
  }
  if (what === "storm" && storm) {
    clearInterval(storm.timer);
    storm = null;
  }
  if (what === "guess" && guess) {
    guess.stopped = true;
    guess = null;
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let c;
  try {
    c = line.trim().startsWith("{") ? JSON.parse(line) : { cmd: line.trim() };
    if (c.cmd === "slow") {
      for (let i = 0; i < c.count; i++) slow.push(slowReader(c.from[i % c.from.length], c.room));
      const deadline = Date.now() + 60000;
      while (slow.some((r) => r.state === "connecting") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      out({ event: "slow", paused: slow.filter((r) => r.state === "paused").length });
    } else if (c.cmd === "flood") {
      for (let i = 0; i < c.count; i++) floods.push(flooder(floods.length, c.from[i % c.from.length]));
      out({ event: "flood", started: c.count });
    } else if (c.cmd === "storm") {
      storm = startStorm(c.rate, c.from);
      out({ event: "storm", rate: c.rate, addresses: c.from.length });
    } else if (c.cmd === "guess") {
      guess = startGuesser(c.namespace, c.user, c.parallel ?? 4, c.from);
      out({ event: "guess" });
    } else if (c.cmd === "stop") {
      await stop(c.what);
      out({ event: "stopped", what: c.what });
    } else if (c.cmd === "report") {
      out({ event: "report", counts });
    } else if (c.cmd === "exit") {
      for (const what of ["flood", "storm", "guess"]) await stop(what);
      slow.forEach((r) => r.socket.destroy());
      out({ event: "bye" });
      process.exit(0);
    }
  } catch (e) {
    out({ event: "error", command: c.cmd, message: String(e?.stack ?? e) });
  }
});
rl.on("close", () => process.exit(0));
out({ event: "ready" });
