// What the Admin UI costs the server: the packaged chat demo as one process, R WebSocket receivers in its main
// namespace, one sender emitting "chat" at a fixed rate (each one event in, a broadcast to the R receivers, and an
// ack), measured three times: the Admin UI off, on in production mode, and on in development mode with a UI connected
// (which receives every event). Reports the server's CPU per chat event and per delivery, and the share of the
// machine's CPU the other processes took meanwhile (the machine may be shared).
// Usage: node bench/admin-ui.mjs [--receivers 50] [--rate 200] [--window 20] [--warmup 5] [--jar path]
//        [--modes off,production,development] (--modes off --jar <another build>: the same load on a build without it)
// Every process it starts is stopped at the end (SIGTERM, then SIGKILL).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { freePorts } from "./ports.mjs";
import { procCpu, machineCpu } from "./cpu.mjs";
import { withoutDemoLimits } from "./demo-limits.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);
const clients = createRequire(path.join(here, "../integration-tests/clients/package.json"));
const { io } = clients("socket.io-client");

const opts = { receivers: 50, rate: 200, window: 20, warmup: 5, modes: "off,production,development",
  jar: path.join(here, "../integration-tests/chat/target/quarkus-app/quarkus-run.jar") };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, "");
  if (!(key in opts)) throw new Error(`unknown argument ${argv[i]}`);
  opts[key] = typeof opts[key] === "number" ? Number(argv[i + 1]) : argv[i + 1];
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...m) => console.log(new Date().toISOString().slice(11, 19), ...m);
const started = [];

async function startServer(props) {
  const [port, management] = await freePorts(2);
  const args = ["-Dquarkus.socketio.cluster.enabled=false", `-Dquarkus.http.port=${port}`,
    `-Dquarkus.management.port=${management}`, "-Dquarkus.log.level=WARN",
    // the chat demo keeps the default limits per address, which --receivers past 500 would reach from 127.0.0.1
    "-Dquarkus.socketio.limits.handshakes-per-second-per-address=0", "-Dquarkus.socketio.limits.sessions-per-address=0",
    // and limits what one client sends, which the sender's --rate would pass
    ...Object.entries(withoutDemoLimits()).map(([k, v]) => `-D${k}=${v}`),
    ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`), "-jar", opts.jar];
  const proc = spawn("java", args, { stdio: ["ignore", "ignore", "inherit"] });
  started.push(proc);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).ok) return { proc, url };
    } catch { /* not yet */ }
    await sleep(200);
  }
  throw new Error("the server did not answer within 120 s");
}

function connect(url, options = {}) {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, ...options });
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

async function measure(name, props, withUi) {
  const { proc, url } = await startServer(props);
  const sockets = [];
  let delivered = 0;
  try {
    for (let i = 0; i < opts.receivers; i++) {
      const s = await connect(url);
      s.on("chat", () => delivered++);
      sockets.push(s);
    }
    let uiEvents = 0;
    if (withUi) {
      const ui = await connect(`${url}/admin`, { auth: { username: "admin", password: "demo" } });
      ui.onAny(() => uiEvents++);
      sockets.push(ui);
    }
    const sender = await connect(url);
    sockets.push(sender);
    const run = async (seconds) => {
      const n = Math.round(seconds * opts.rate);
      const t0 = performance.now();
      const acks = [];
      for (let i = 0; i < n; i++) {
        acks.push(sender.timeout(30000).emitWithAck("chat", `message ${i} ` + "x".repeat(80)));
        const due = t0 + ((i + 1) * 1000) / opts.rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await Promise.allSettled(acks);
      return n;
    };
    // every delivery of a phase is counted before the next starts (a slow mode lags behind its rate)
    const settled = async (expected) => {
      for (let i = 0; i < 600 && delivered < expected; i++) await sleep(100);
    };
    const warm = await run(opts.warmup);
    await settled(warm * opts.receivers);
    await sleep(500);
    const cpu0 = procCpu(proc.pid);
    const m0 = machineCpu();
    const d0 = delivered;
    const u0 = uiEvents;
    const w0 = performance.now();
    const events = await run(opts.window);
    await settled(d0 + events * opts.receivers);
    const cpu = procCpu(proc.pid) - cpu0;
    const m1 = machineCpu();
    const wall = (performance.now() - w0) / 1000;
    const deliveries = delivered - d0;
    const machineBusy = m1.busy - m0.busy;
    const result = { mode: name, events, deliveries, uiEvents: uiEvents - u0, wall: +wall.toFixed(1),
      serverCpu: +cpu.toFixed(2), cpuPerEventUs: Math.round((cpu / events) * 1e6),
      cpuPerDeliveryUs: +((cpu / deliveries) * 1e6).toFixed(2),
      machineBusyShare: +(machineBusy / (m1.total - m0.total)).toFixed(2),
      othersCpuShare: +(Math.max(0, machineBusy - cpu) / (m1.total - m0.total)).toFixed(2) };
    log(JSON.stringify(result));
    return result;
  } finally {
    sockets.forEach((s) => s.close());
    proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 3000));
    proc.kill("SIGKILL");
  }
}

const stop = () => started.forEach((p) => { try { p.kill("SIGKILL"); } catch { /* gone */ } });
process.on("SIGINT", () => { stop(); process.exit(130); });
try {
  const results = [];
  const modes = opts.modes.split(",");
  if (modes.includes("off")) {
    results.push(await measure("off", { "quarkus.socketio.admin-ui.enabled": "false" }, false));
  }
  if (modes.includes("production")) {
    results.push(await measure("production", { "quarkus.socketio.admin-ui.enabled": "true", "quarkus.socketio.admin-ui.mode": "production" }, false));
  }
  if (modes.includes("development")) {
    results.push(await measure("development, UI connected", { "quarkus.socketio.admin-ui.enabled": "true",
      "quarkus.socketio.admin-ui.mode": "development" }, true));
  }
  console.log("\n| mode | chat events | deliveries | UI events | server CPU s | CPU per event | CPU per delivery | others' CPU share |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(`| ${r.mode} | ${r.events} | ${r.deliveries} | ${r.uiEvents} | ${r.serverCpu} | ${r.cpuPerEventUs} µs | `
      + `${r.cpuPerDeliveryUs} µs | ${Math.round(r.othersCpuShare * 100)} % |`);
  }
} finally {
  stop();
}
