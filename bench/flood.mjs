// What one flooding client costs the others. The packaged chat demo as one process; R receivers and a probe, each an
// official socket.io-client with its default options (forceNew only, so that each has a connection of its own); the
// probe emits a "chat" carrying its send time every 100 ms, which the demo broadcasts to everyone else, and each
// receiver times its delivery on the probe's clock (one process). Windows: warm-up, quiet (the probe alone), flood (a
// flooder in a Node process of its own emitting "chat" with an acknowledgement as fast as it can, at most N in flight),
// after (the probe alone again). Started by bench/flood; `node bench/flood.mjs --flooder ...` is the flooder.
//
// Every process it starts is its child, in bench/flood's process group; all are stopped at the end.
import { spawn, execSync } from "node:child_process";
import { createInterface } from "node:readline";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePorts } from "./ports.mjs";
import { officialClient, officialClientVersion } from "./official-client.mjs";
import { sleep, waitFor } from "./wait-for.mjs";
import { percentile } from "./percentile.mjs";
import { procCpu, machineCpu } from "./cpu.mjs";
import { demoLimits, withoutDemoLimits } from "./demo-limits.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);
const log = (...m) => console.log(new Date().toISOString().slice(11, 19), ...m);

const io = officialClient();

const defaults = {
  receivers: 50,
  "probe-interval": 100, // ms between the probe's messages
  warmup: 10, // s, not measured
  quiet: 10, // s
  flood: 10, // s
  after: 5, // s
  inflight: 100, // the flooder's acknowledgements awaited at once
  "ack-timeout": 5000, // ms, the flooder's and the probe's
  nice: 10, // the flooder's niceness: on one machine its CPU would otherwise be taken from the server and the clients
  jar: path.join(here, "../integration-tests/chat/target/quarkus-app/quarkus-run.jar"),
  label: "",
  out: "",
};

function parseArgs(argv) {
  const opts = { ...defaults, props: [], noDemoLimits: false, smoke: false, flooder: false, url: "" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("-D")) opts.props.push(a.slice(2));
    else if (a === "--smoke") Object.assign(opts, { receivers: 5, warmup: 1, quiet: 2, flood: 2, after: 1, smoke: true });
    else if (a === "--no-demo-limits") opts.noDemoLimits = true;
    else if (a === "--flooder") opts.flooder = true;
    else if (a === "--url") opts.url = argv[++i];
    else if (a.startsWith("--") && a.slice(2) in defaults) {
      const v = argv[++i];
      opts[a.slice(2)] = typeof defaults[a.slice(2)] === "number" ? Number(v) : v;
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}


function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN) };
}

const count = (map, key) => (map[key] = (map[key] ?? 0) + 1);

// ---- the flooder: its own process, commanded on stdin ("go <ms>"), one JSON line out per state

async function flooder(opts) {
  const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
  const s = io(opts.url, { forceNew: true });
  const r = { sent: 0, ok: 0, refused: {}, lostToDisconnect: 0, timedOut: 0, otherFailures: {}, connects: 0,
    disconnects: {}, connectErrors: {}, firstRefusalMs: null, connectedMs: 0 };
  let flooding = false;
  let inflight = 0;
  let startedAt = 0;
  let connectedSince = null;
  const refusedNow = () => {
    if (r.firstRefusalMs === null) r.firstRefusalMs = Math.round(performance.now() - startedAt);
  };
  const pump = () => {
    while (flooding && s.connected && inflight < opts.inflight) {
      inflight++;
      r.sent++;
      s.timeout(opts["ack-timeout"]).emitWithAck("chat", `flood ${r.sent}`).then((ack) => {
        if (ack && typeof ack === "object" && "error" in ack) {
          count(r.refused, String(ack.error));
          refusedNow();
        } else r.ok++;
      }, (e) => {
        const m = String(e?.message ?? e);
        if (m.includes("disconnected")) r.lostToDisconnect++;
        else if (m.includes("timed out")) r.timedOut++;
        else count(r.otherFailures, m);
      }).finally(() => {
        inflight--;
        pump();
      });
    }
  };
  s.on("connect", () => {
    if (flooding) r.connects++;
    connectedSince = performance.now();
    pump();
  });
  s.on("disconnect", (reason) => {
    if (!flooding) return;
    count(r.disconnects, reason);
    refusedNow();
    if (connectedSince !== null) r.connectedMs += performance.now() - connectedSince;
    connectedSince = null;
  });
  // a refused reconnection: the message, and the HTTP status where the transport gives one (429 in a cooldown)
  s.on("connect_error", (e) => {
    if (flooding) count(r.connectErrors, `${e.message}${e.description ? ` (${e.description})` : ""}`);
  });
  await new Promise((res) => s.once("connect", res));
  out({ event: "ready" });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(" ");
    if (cmd !== "go") break;
    if (flooding || startedAt) continue;
    startedAt = performance.now();
    connectedSince = s.connected ? startedAt : null;
    flooding = true;
    pump();
    await sleep(Number(arg));
    flooding = false;
    const end = performance.now();
    if (connectedSince !== null) r.connectedMs += end - connectedSince;
    r.connectedMs = Math.round(r.connectedMs);
    // what is still in flight settles (acknowledged, refused, lost or timed out) before the count is given
    const until = Date.now() + opts["ack-timeout"] + 2000;
    while (inflight > 0 && Date.now() < until) await sleep(20);
    const cpu = process.cpuUsage();
    out({ event: "done", ...r, stillInFlight: inflight, seconds: (end - startedAt) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    // it stays until told, so that its CPU can be read in the window after the flood
  }
  s.close();
  process.exit(0);
}

// ---- the run


function metric(text, name) {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name + "{") || line.startsWith(name + " ")) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function main(opts) {
  const stamp = new Date().toISOString().replace(/[:T]/g, "-").slice(0, 19);
  const out = opts.out || path.join(here, "results", `${stamp}-flood${opts.label ? `-${opts.label}` : ""}`);
  fs.mkdirSync(path.join(out, "logs"), { recursive: true });
  const demo = demoLimits();
  const settings = new Map(Object.entries(opts.noDemoLimits ? withoutDemoLimits(demo) : {}));
  for (const p of opts.props) {
    const i = p.indexOf("=");
    settings.set(i < 0 ? p : p.slice(0, i), i < 0 ? "" : p.slice(i + 1));
  }
  const [port, mgmt] = await freePorts(2);
  const serverLog = fs.openSync(path.join(out, "logs", "server.log"), "a");
  const server = spawn("java", ["-Xmx512m", `-Dquarkus.http.port=${port}`, `-Dquarkus.management.port=${mgmt}`,
    "-Dquarkus.socketio.cluster.enabled=false", ...[...settings].map(([k, v]) => `-D${k}=${v}`), "-jar", opts.jar],
  { stdio: ["ignore", serverLog, serverLog] });
  const serverExited = new Promise((r) => server.once("exit", r));
  let flood = null;
  const stop = async () => {
    flood?.kill("SIGKILL");
    server.kill("SIGTERM");
    await Promise.race([serverExited, sleep(15_000)]);
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  };
  process.once("SIGTERM", async () => {
    await stop();
    process.exit(143);
  });
  const url = `http://127.0.0.1:${port}`;
  const metrics = async () => {
    try {
      return await (await fetch(`http://127.0.0.1:${mgmt}/q/metrics`)).text();
    } catch {
      return "";
    }
  };
  const loadAtStart = os.loadavg();
  try {
    await waitFor("the chat demo", async () => (await fetch(`${url}/api/whoami`)).ok);
    log(`chat demo (one process, pid ${server.pid}) on port ${port}; settings: ${settings.size ? [...settings].map(([k, v]) => `${k}=${v}`).join(" ") : "as packaged"}`);

    // windows by the probe's clock; a probe message belongs to the window it was sent in, a delivery to the one it
    // arrived in
    const windows = [];
    const windowAt = (t) => windows.find((w) => t >= w.start && (w.end === null || t < w.end));
    const open = (name) => {
      const w = { name, start: performance.now(), end: null, probes: 0, probeAcks: { ok: 0, refused: 0, failed: 0 },
        latencies: [], deliveries: 0, floodDeliveries: 0 };
      if (windows.length) windows[windows.length - 1].end = w.start;
      windows.push(w);
      return w;
    };

    const receivers = [];
    for (let i = 0; i < opts.receivers; i++) {
      const s = io(url, { forceNew: true });
      s.on("chat", (m) => {
        const now = performance.now();
        const w = windowAt(now);
        const text = String(m?.text ?? "");
        if (text.startsWith("probe ")) {
          const sentAt = Number(text.split(" ")[2]);
          const sw = windowAt(sentAt);
          if (sw) sw.latencies.push(now - sentAt);
        } else if (w && text.startsWith("flood ")) w.floodDeliveries++;
        if (w) w.deliveries++;
      });
      receivers.push(s);
    }
    await waitFor("every receiver on WebSocket", () => receivers.every((s) => s.connected
      && s.io.engine?.transport?.name === "websocket"), 60_000, 50);
    const probe = io(url, { forceNew: true });
    await waitFor("the probe", () => probe.connected, 30_000, 50);

    const floodLog = fs.openSync(path.join(out, "logs", "flooder.log"), "a");
    const nodeArgs = [path.join(here, "flood.mjs"), "--flooder", "--url", url, "--inflight", String(opts.inflight),
      "--ack-timeout", String(opts["ack-timeout"])];
    flood = opts.nice > 0 ? spawn("nice", ["-n", String(opts.nice), process.execPath, ...nodeArgs], { stdio: ["pipe", "pipe", floodLog] })
      : spawn(process.execPath, nodeArgs, { stdio: ["pipe", "pipe", floodLog] });
    const floodLines = createInterface({ input: flood.stdout })[Symbol.asyncIterator]();
    const floodNext = async (event) => {
      const { value, done } = await floodLines.next();
      if (done) throw new Error(`the flooder ended before "${event}" (logs/flooder.log)`);
      const o = JSON.parse(value);
      if (o.event !== event) throw new Error(`the flooder said ${value}, expected "${event}"`);
      return o;
    };
    await floodNext("ready");
    log(`${opts.receivers} receivers, the probe and the flooder connected`);

    let probing = true;
    let seq = 0;
    const prober = (async () => {
      const start = performance.now();
      while (probing) {
        const t = performance.now();
        const w = windowAt(t);
        probe.timeout(opts["ack-timeout"]).emitWithAck("chat", `probe ${seq++} ${t}`).then((ack) => {
          if (!w) return;
          if (ack && typeof ack === "object" && "error" in ack) w.probeAcks.refused++;
          else w.probeAcks.ok++;
        }, () => w && w.probeAcks.failed++);
        if (w) w.probes++;
        await sleep(Math.max(1, start + seq * opts["probe-interval"] - performance.now()));
      }
    })();

    const cpuAt = async () => {
      const c = process.cpuUsage();
      const m = await metrics();
      return { server: procCpu(server.pid), flooder: procCpu(flood.pid), clients: (c.user + c.system) / 1e6,
        machine: machineCpu(), limited: metric(m, "socketio_events_limited_total"),
        handshakesLimited: metric(m, "socketio_handshakes_limited_total") };
    };
    const marks = [];
    const mark = async (w) => marks.push({ w, at: await cpuAt() });
    open("warm-up");
    await sleep(opts.warmup * 1000);
    const quiet = open("quiet");
    await mark(quiet);
    await sleep(opts.quiet * 1000);
    const floodWindow = open("flood");
    await mark(floodWindow);
    flood.stdin.write(`go ${opts.flood * 1000}\n`);
    await sleep(opts.flood * 1000);
    const after = open("after");
    await mark(after);
    await sleep(opts.after * 1000);
    const tail = open("tail");
    await mark(tail);
    const flooderResult = await floodNext("done");
    probing = false;
    await prober;
    // late deliveries of the last probe messages
    await sleep(2000);

    const measured = [quiet, floodWindow, after];
    const rows = measured.map((w) => {
      const i = marks.findIndex((m) => m.w === w);
      const a = marks[i].at;
      const b = marks[i + 1].at;
      const seconds = (w.end - w.start) / 1000;
      const expected = w.probes * opts.receivers;
      const row = { window: w.name, seconds: Math.round(seconds * 100) / 100, probes: w.probes, probeAcks: w.probeAcks,
        latency: stats(w.latencies), missing: expected - w.latencies.length, deliveries: w.deliveries,
        floodDeliveries: w.floodDeliveries,
        cpu: { server: b.server - a.server, flooder: b.flooder - a.flooder, clients: b.clients - a.clients,
          machineBusy: b.machine.busy - a.machine.busy, machineTotal: b.machine.total - a.machine.total },
        eventsLimited: b.limited - a.limited, handshakesLimited: b.handshakesLimited - a.handshakesLimited };
      // what the machine's other processes took meanwhile: a busy machine shows here, and its figures are not this run's
      row.cpu.others = Math.max(0, row.cpu.machineBusy - row.cpu.server - (row.cpu.flooder || 0) - row.cpu.clients);
      return row;
    });
    const [q, f, af] = rows;
    const ratio = (x, y) => Math.round((x / y) * 100) / 100;
    const results = {
      started: stamp,
      label: opts.label,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release(), node: process.version,
        java: execSync("java -version 2>&1").toString().split("\n")[0], loadAtStart, loadAtEnd: os.loadavg() },
      settings: { ...opts, props: undefined, serverProperties: Object.fromEntries(settings), demoLimits: demo,
        clientVersion: officialClientVersion() },
      windows: rows,
      ratio: { p50: ratio(f.latency.p50, q.latency.p50), p99: ratio(f.latency.p99, q.latency.p99),
        max: ratio(f.latency.max, q.latency.max) },
      flooder: flooderResult,
    };
    fs.writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 1));

    const cpuCell = (s, w) => `${s.toFixed(2)} (${Math.round((s / w.seconds) * 100)}%)`;
    const fl = flooderResult;
    const kv = (m) => Object.entries(m).map(([k, v]) => `${v}× ${k}`).join(", ") || "none";
    const md = [`# Flood: one client flooding \`chat\` against the chat demo, ${stamp}${opts.label ? ` (${opts.label})` : ""}`, "",
      `${results.machine.cpus} CPUs (${results.machine.model}), ${results.machine.kernel}; ${results.machine.java}; Node ${process.version}; `
        + `load average ${loadAtStart.map((x) => x.toFixed(2)).join(" ")} at the start, ${results.machine.loadAtEnd.map((x) => x.toFixed(2)).join(" ")} at the end.`, "",
      `The chat demo as one process (\`-Xmx512m\`), its settings ${opts.noDemoLimits ? "without its inbound limits" : "as packaged"}`
        + `${opts.props.length ? ` and ${opts.props.map((p) => `\`-D${p}\``).join(" ")}` : ""}. `
        + `${opts.receivers} receivers and a probe (socket.io-client ${results.settings.clientVersion}, default options, a connection each); `
        + `the probe emits a timestamped \`chat\` every ${opts["probe-interval"]} ms, timed at each receiver on its own clock. `
        + `The flooder: one more client, in a Node process of its own${opts.nice ? ` (nice ${opts.nice})` : ""}, emitting \`chat\` with an `
        + `acknowledgement as fast as it can, at most ${opts.inflight} in flight, during the flood window.`, "",
      "| window | probe messages | deliveries timed | p50 ms | p99 ms | max ms | missing | chat deliveries (of the flooder's) | server CPU s | flooder CPU s | clients CPU s | others' CPU s | machine busy |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
      ...rows.map((r) => `| ${r.window} (${r.seconds} s) | ${r.probes} | ${r.latency.n} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} | ${r.missing} `
        + `| ${r.deliveries} (${r.floodDeliveries}) | ${cpuCell(r.cpu.server, r)} | ${cpuCell(r.cpu.flooder, r)} | ${cpuCell(r.cpu.clients, r)} `
        + `| ${cpuCell(r.cpu.others, r)} | ${Math.round((r.cpu.machineBusy / r.cpu.machineTotal) * 100)}% |`),
      "",
      `**The probe's delivery latency under the flood: p99 ${f.latency.p99} ms against ${q.latency.p99} ms quiet, ${results.ratio.p99}×** `
        + `(p50 ${results.ratio.p50}×, max ${results.ratio.max}×; after the flood: p99 ${af.latency.p99} ms). `
        + `The probe's acknowledgements in the flood: ${f.probeAcks.ok} ok, ${f.probeAcks.refused} refused, ${f.probeAcks.failed} failed.`, "",
      `The flooder: ${fl.sent} \`chat\` emitted in ${fl.seconds.toFixed(1)} s; acknowledged ${fl.ok}; answered with an error: ${kv(fl.refused)}; `
        + `lost to a disconnection ${fl.lostToDisconnect}, timed out ${fl.timedOut}${Object.keys(fl.otherFailures).length ? `, other failures ${kv(fl.otherFailures)}` : ""}; `
        + `disconnected: ${kv(fl.disconnects)}; connected again ${fl.connects} times; reconnections refused: ${kv(fl.connectErrors)}; `
        + `first refusal ${fl.firstRefusalMs === null ? "never" : `after ${fl.firstRefusalMs} ms`}; connected ${(fl.connectedMs / 1000).toFixed(1)} s of the window; `
        + `its CPU ${fl.cpuSeconds.toFixed(2)} s in all. The server counted ${f.eventsLimited} events limited (\`socketio_events_limited_total\`) `
        + `and ${f.handshakesLimited} handshakes limited during the flood window.`, ""];
    fs.writeFileSync(path.join(out, "results.md"), md.join("\n"));
    console.log(md.join("\n"));
    log(`results in ${out}`);
    flood.stdin.write("exit\n");
    for (const s of receivers) s.close();
    probe.close();
  } finally {
    await stop();
  }
}

const opts = parseArgs(process.argv.slice(2));
(opts.flooder ? flooder(opts) : main(opts)).then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
