// How long the clients of a killed worker take to be served again, and what the other clients see meanwhile. The
// bench application as a cluster (a primary and 2 workers by default); N official socket.io-client clients with their
// default options (a third polling then upgrading, a third WebSocket only, a third polling only) in room "r"; a
// publisher broadcasting numbered messages at a fixed rate; then, K times, one worker SIGKILLed (never the
// publisher's), its clients' reconnections timed as each client saw them (from its "disconnect" to its "connect"),
// the primary's restart of the worker awaited, and the clients spread again; then, --rolls times, a rolling restart
// (SIGUSR1 to the primary), every time a client lost its connection in it timed the same way. The clients live in
// --drivers Node processes (bench/failover-clients.mjs), this one publishes and directs. Started by bench/failover.
//
// Every process it starts is its child, in bench/failover's process group; all are stopped at the end.
import { spawn, fork, execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePorts } from "./ports.mjs";
import { officialClient } from "./official-client.mjs";
import { sleep, waitFor } from "./wait-for.mjs";
import { percentile } from "./percentile.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);

const defaults = {
  workers: 2,
  clients: 150,
  kills: 10,
  rate: 100, // broadcasts per second
  settle: 3, // s of stream before each kill
  steady: 10, // s of the steady window before the kills: acknowledged messages of the polling clients, timed
  "ack-rate": 200, // acknowledged messages per second in the steady window, over all polling-only clients
  proxy: "", // an HAProxy configuration (reading LISTEN and HOST from the environment) to put in front
  jar: path.join(here, "quarkus-app/target/quarkus-app/quarkus-run.jar"),
  out: "",
  pin: false, // the servers on CPU 0, this driver and its clients on CPU 1 (said in the report)
  recovery: false, // connection state recovery on
  drivers: 1, // client processes the clients are split over
  rolls: 0, // rolling restarts after the kills
  // WebTransport clients beside the others: the official client in headless Chromium (bench/failover-browser.mjs),
  // half on WebTransport alone, half polling then upgrading to it; the servers listen for WebTransport as well
  webtransport: 0,
};
const opts = { ...defaults };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--smoke") {
    Object.assign(opts, { clients: 30, kills: 2, rate: 50, settle: 1, steady: 2, "ack-rate": 50, smoke: true });
    continue;
  }
  if (!a.startsWith("--") || !(a.slice(2) in defaults)) throw new Error(`unknown argument ${a}`);
  if (typeof defaults[a.slice(2)] === "boolean") {
    opts[a.slice(2)] = true;
    continue;
  }
  const v = argv[++i];
  opts[a.slice(2)] = typeof defaults[a.slice(2)] === "number" ? Number(v) : v;
}

const log = (...m) => console.log(new Date().toISOString().slice(11, 19), ...m);
const kinds = ["upgrade", "websocket", "polling", ...(opts.webtransport ? ["webtransport", "polling-webtransport"] : [])];

const io = officialClient();

// A client process (bench/failover-clients.mjs, or bench/failover-browser.mjs for the WebTransport clients) and a way
// to ask it something over IPC.
let drivers = [];
function driverProcess(script = "failover-clients.mjs") {
  const child = fork(path.join(here, script), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map();
  let next = 0;
  child.on("message", ({ id, ok, error, ...answer }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (ok) w.resolve(answer);
    else w.reject(new Error(`driver process ${child.pid}: ${error}`));
  });
  child.once("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`driver process ${child.pid} exited (${code})`));
    waiting.clear();
  });
  return { child, ask: (op, args = {}) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    child.send({ id, op, ...args });
  }) };
}

// The JVM of the servers: the AOT cache bench/aot-train left beside the jar, with the JDK that made it (as bench/run's
// qsio targets; BENCH_AOT=0 for none), else the java on the PATH.
function serverJvm(jar) {
  const dir = path.dirname(path.resolve(jar));
  const cache = path.join(dir, "app.aot");
  const javaFile = path.join(dir, "app.aot.java");
  if (process.env.BENCH_AOT !== "0" && fs.existsSync(cache) && fs.existsSync(javaFile)) {
    const java = fs.readFileSync(javaFile, "utf8").trim();
    const trained = fs.statSync(cache).mtimeMs;
    const newer = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".jar"))
      .find((f) => fs.statSync(path.join(dir, f)).mtimeMs > trained);
    if (fs.existsSync(java) && !newer) {
      return { java, options: [`-XX:AOTCache=${cache}`, "-XX:AOTMode=on", "-XX:+UseG1GC"], aot: true };
    }
    if (newer) log(`warning: ${newer} is newer than the AOT cache: the servers run without it`);
  }
  return { java: "java", options: [], aot: false };
}




// The servers' WebTransport certificate: ECDSA, valid 10 days (Chromium takes a certificate by its hash only then), and
// its SHA-256 in base64 for the pages.
function certificate(dir) {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execSync(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ${key} -out ${cert} `
    + "-days 10 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1", { stdio: "ignore" });
  const hash = execSync(`openssl x509 -in ${cert} -outform der | openssl dgst -sha256 -binary | base64`).toString().trim();
  return { cert, key, hash };
}

const CLK_TCK = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
function procCpu(pid) {
  // utime + stime of the process (all its threads), in seconds
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// "a: 2, b: 1" of the values' counts, the most frequent first ("" for none)
function tally(values) {
  return [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map())].sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `${v}: ${n}`).join(", ");
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

async function main() {
  const stamp = new Date().toISOString().replace(/[:T]/g, "-").slice(0, 19);
  const out = opts.out || path.join(here, "results", `${stamp}-failover`);
  fs.mkdirSync(path.join(out, "logs"), { recursive: true });
  const [port, mgmt, proxyPort] = await freePorts(3);
  const logFd = fs.openSync(path.join(out, "logs", "cluster.log"), "a");
  const jvm = serverJvm(opts.jar);
  // the certificate in a directory of its own, removed at the end (not among the results)
  const tlsDir = opts.webtransport ? fs.mkdtempSync(path.join(os.tmpdir(), "qsio-failover-")) : null;
  const tls = tlsDir ? certificate(tlsDir) : null;
  const serverArgs = [...jvm.options, "-Xmx512m", `-Dquarkus.http.port=${port}`, "-Dquarkus.management.enabled=true",
    `-Dquarkus.management.port=${mgmt}`, `-Dquarkus.socketio.cluster.workers=${opts.workers}`,
    ...(opts.recovery ? ["-Dquarkus.socketio.connection-state-recovery.enabled=true"] : []),
    ...(tls ? ["-Dquarkus.socketio.transports=polling,websocket,webtransport", `-Dquarkus.socketio.webtransport.port=${port}`,
      "-Dquarkus.socketio.webtransport.host=127.0.0.1", `-Dquarkus.socketio.webtransport.certificate-file=${tls.cert}`,
      `-Dquarkus.socketio.webtransport.key-file=${tls.key}`] : []),
    // more server options for a study (BENCH_SERVER_OPTS, space-separated: a log category at DEBUG, say)
    ...(process.env.BENCH_SERVER_OPTS ? process.env.BENCH_SERVER_OPTS.trim().split(/\s+/) : []),
    "-jar", opts.jar];
  if (opts.pin) {
    // the clients' CPU apart from the servers': this process (and its threads) on CPU 1, the primary on CPU 0 (its
    // workers inherit it)
    execSync(`taskset -a -p -c 1 ${process.pid}`, { stdio: "ignore" });
  }
  const cluster = opts.pin ? spawn("taskset", ["-c", "0", jvm.java, ...serverArgs], { stdio: ["ignore", logFd, logFd] })
    : spawn(jvm.java, serverArgs, { stdio: ["ignore", logFd, logFd] });
  const exited = new Promise((r) => cluster.once("exit", r));
  let haproxy = null;
  const stop = async () => {
    for (const d of drivers) d.child.kill("SIGKILL");
    haproxy?.kill("SIGTERM");
    cluster.kill("SIGTERM");
    await Promise.race([exited, sleep(15_000)]);
    if (cluster.exitCode === null) cluster.kill("SIGKILL");
    if (tlsDir) fs.rmSync(tlsDir, { recursive: true, force: true });
  };
  process.once("SIGTERM", async () => {
    await stop();
    process.exit(143);
  });
  const state = async () => (await fetch(`http://127.0.0.1:${mgmt}/q/socketio/cluster`)).json();
  const allReady = async () => {
    const s = await state();
    return s.workers.length === opts.workers && s.workers.every((w) => w.ready);
  };
  try {
    await waitFor("the cluster", allReady);
    log(`cluster of ${opts.workers} workers ready on port ${port}`);
    let url = `http://127.0.0.1:${port}`;
    if (opts.proxy) {
      const fd = fs.openSync(path.join(out, "logs", "haproxy.log"), "a");
      haproxy = spawn("haproxy", ["-db", "-f", path.resolve(opts.proxy)], { stdio: ["ignore", fd, fd],
        env: { ...process.env, LISTEN: `127.0.0.1:${proxyPort}`, HOST: `127.0.0.1:${port}` } });
      url = `http://127.0.0.1:${proxyPort}`;
      await waitFor("haproxy", async () => (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).status === 200);
      log(`behind HAProxy (${opts.proxy}) on port ${proxyPort}`);
    }
    const processes = async () => [cluster.pid, ...(await state()).workers.map((w) => w.pid), ...(haproxy ? [haproxy.pid] : [])];
    // the clients, split over --drivers processes of their own (children of this one, on CPU 1 with --pin), client i in
    // process i % drivers
    drivers = Array.from({ length: opts.drivers }, () => driverProcess());
    const opened = drivers.map((d, k) => d.ask("open", { url,
      indices: Array.from({ length: opts.clients }, (_, i) => i).filter((i) => i % opts.drivers === k) }));
    if (opts.webtransport) {
      // the WebTransport clients in one more driver, Chromium's; their numbers follow the others'
      const browser = driverProcess("failover-browser.mjs");
      drivers.push(browser);
      opened.push(browser.ask("open", { url, hash: tls.hash,
        indices: Array.from({ length: opts.webtransport }, (_, i) => opts.clients + i) })
        .then((a) => log(`${a.clients} clients in Chromium connected, every one on WebTransport`)));
    }
    await Promise.all(opened);
    log(`${opts.clients + opts.webtransport} clients connected from ${drivers.length} driver process`
      + `${drivers.length > 1 ? "es" : ""}`);
    const pub = io(url, { transports: ["websocket"], forceNew: true });
    await new Promise((r) => pub.once("connect", r));
    const pubPid = await pub.timeout(20_000).emitWithAck("whoami");
    let seq = 0;
    let publishing = true;
    const interval = 1000 / opts.rate;
    const publisher = (async () => {
      const start = performance.now();
      while (publishing) {
        pub.emit("pub", String(seq++));
        const wait = start + seq * interval - performance.now();
        await sleep(Math.max(1, wait));
      }
    })();
    // the steady window: the polling-only clients send acknowledged messages; round trips and CPU per message
    const pids = await processes();
    const cpuBefore = pids.map(procCpu);
    const windowStart = performance.now();
    const parts = await Promise.all(drivers.map((d) => d.ask("steady", { rate: opts["ack-rate"] / opts.drivers,
      seconds: opts.steady })));
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const cpuSeconds = pids.map((p, i) => procCpu(p) - cpuBefore[i]).reduce((a, b) => a + b, 0);
    const acked = parts.reduce((a, p) => a + p.acked, 0);
    const failed = parts.reduce((a, p) => a + p.failed, 0);
    const rtts = parts.flatMap((p) => p.rtts);
    const steady = { acked, failed, seconds: windowSeconds, rtt: stats(rtts.map((r) => Math.round(r * 100) / 100)),
      cpuMsPerAck: acked ? (cpuSeconds * 1000) / acked : NaN, cpuShare: cpuSeconds / windowSeconds };
    log(`steady window: ${acked} acknowledged messages of polling clients (${failed} failed), round trip p50 `
      + `${steady.rtt.p50} ms, p99 ${steady.rtt.p99} ms; CPU of the host${haproxy ? " and HAProxy" : ""} `
      + `${steady.cpuMsPerAck.toFixed(3)} ms per message (with the broadcast stream)`);
    // how late the driver processes' timers ran during an event: the worst of them
    const worst = (ds) => ({ p99: Math.max(...ds.map((d) => d.p99)), max: Math.max(...ds.map((d) => d.max)) });
    const kills = [];
    for (let k = 0; k < opts.kills; k++) {
      await sleep(opts.settle * 1000);
      const s = await state();
      const workerIds = new Map(s.workers.map((w) => [w.pid, w.id]));
      const counts = new Map();
      for (const p of (await Promise.all(drivers.map((d) => d.ask("pids")))).flatMap((r) => r.pids)) {
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
      const victimPid = [...workerIds.keys()].filter((p) => p !== pubPid).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
      await Promise.all(drivers.map((d) => d.ask("kill", { victimPid })));
      const killedAt = Date.now();
      process.kill(victimPid, "SIGKILL");
      const back = await Promise.all(drivers.map((d) => d.ask("back")));
      const times = back.flatMap((b) => b.times).map((t) => ({ ...t, lostAfterKillMs: t.at - killedAt }));
      const kill = { worker: workerIds.get(victimPid), victims: times.length, others: back.reduce((a, b) => a + b.others, 0),
        disturbed: back.reduce((a, b) => a + b.disturbed, 0),
        disturbedKinds: back.flatMap((b) => b.disturbedKinds),
        disturbedTimes: back.flatMap((b) => b.disturbedTimes).map((t) => ({ ...t, lostAfterKillMs: t.at - killedAt })),
        times, clientLoopDelay: worst(back.map((b) => b.loopDelay)) };
      kills.push(kill);
      const st = stats(times.map((t) => t.ms));
      log(`kill ${k + 1}: worker ${kill.worker} with ${kill.victims} clients; back within ${st.max} ms `
        + `(median ${st.p50}); other clients disturbed: ${kill.disturbed} of ${kill.others}`
        + `${kill.disturbed ? ` (${tally(kill.disturbedKinds)})` : ""}`);
      // the primary restarts the worker; then the killed worker's clients, and those of the others that are free to
      // move (all but a third, which stay to show what a client that is never moved sees), reconnect, so that each
      // kill finds about as many clients on its worker as the first (without it: half, then a quarter, ...)
      await waitFor("the cluster ready again", allReady);
      await Promise.all(drivers.map((d) => d.ask("move")));
    }
    // rolling restarts (SIGUSR1 to the primary): every worker replaced in turn, each client moved once or more; every
    // time a client lost its connection, timed to its next connect
    const rolls = [];
    for (let k = 0; k < opts.rolls; k++) {
      await sleep(opts.settle * 1000);
      const before = new Set((await state()).workers.map((w) => w.pid));
      await Promise.all(drivers.map((d) => d.ask("roll")));
      const startedAt = Date.now();
      process.kill(cluster.pid, "SIGUSR1");
      await waitFor("the rolling restart done", async () => {
        const s = await state();
        return s.workers.length === opts.workers && s.workers.every((w) => w.ready && !before.has(w.pid))
          && [...before].every((p) => !alive(p));
      }, 180_000);
      const rolledMs = Date.now() - startedAt;
      const done = await Promise.all(drivers.map((d) => d.ask("rolled")));
      const times = done.flatMap((r) => r.times);
      const roll = { rolledMs, clients: done.reduce((a, r) => a + r.clients, 0),
        movedClients: done.reduce((a, r) => a + r.movedClients, 0), movedTwice: done.reduce((a, r) => a + r.movedTwice, 0),
        times, clientLoopDelay: worst(done.map((r) => r.loopDelay)) };
      rolls.push(roll);
      const st = stats(times.map((t) => t.ms));
      log(`rolling restart ${k + 1} done in ${rolledMs} ms: ${roll.movedClients} of ${roll.clients} clients moved `
        + `(${roll.movedTwice} twice), ${times.length} losses; back within ${st.max} ms (median ${st.p50}, p99 ${st.p99})`);
    }
    publishing = false;
    await publisher;
    await sleep(1000);
    const all = kills.flatMap((k) => k.times);
    const summaries = await Promise.all(drivers.map((d) => d.ask("summary")));
    const results = {
      started: stamp,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release(), node: process.version,
        java: execSync(`${jvm.java} -version 2>&1`).toString().split("\n")[0] + (jvm.aot ? ", with its AOT cache" : "") },
      settings: opts,
      broadcasts: seq,
      steady,
      kills,
      reconnection: { all: stats(all.map((t) => t.ms)),
        byKind: Object.fromEntries(kinds.map((k) => [k, stats(all.filter((t) => t.kind === k).map((t) => t.ms))])) },
      disturbedOthers: kills.reduce((a, k) => a + k.disturbed, 0),
      disturbedOthersKinds: tally(kills.flatMap((k) => k.disturbedKinds)),
      disturbedOthersBack: stats(kills.flatMap((k) => k.disturbedTimes).map((t) => t.ms)),
      // the transport each client is on at the end of the run, by kind
      finalTransports: tally(summaries.flatMap((m) => m.finalTransports)),
      // the transport each reconnected client was on once back, by kind (the WebTransport clients' must be webtransport)
      endedOn: Object.fromEntries(kinds.map((k) => [k, tally(all.filter((t) => t.kind === k).map((t) => t.transport))])),
      // reconnections of a killed worker's clients that got their session back (with --recovery all should)
      recovered: all.filter((t) => t.recovered).length,
      // how many attempts each reconnection took (1: the first succeeded), and why the failed ones failed
      attempts: Object.fromEntries([...all.reduce((m, t) => m.set(t.attempts, (m.get(t.attempts) ?? 0) + 1), new Map())]
        .sort((a, b) => a[0] - b[0])),
      firstAttempt: stats(all.map((t) => t.firstAttemptMs).filter((v) => !Number.isNaN(v))),
      reconnectErrors: Object.fromEntries([...all.flatMap((t) => t.errors).reduce((m, e) => m.set(e, (m.get(e) ?? 0) + 1),
        new Map())]),
      // broadcasts that clients never on a killed worker (nor disconnected by a kill) missed or got out of order (both 0 when nothing is lost)
      neverKilled: summaries.reduce((a, m) => a + m.neverKilled, 0),
      neverKilledMissed: summaries.reduce((a, m) => a + m.neverKilledMissed, 0),
      // the rolling restarts: each client's losses of its connection during one, timed as the kills' are
      rolls: rolls.map((r) => ({ ...r, back: stats(r.times.map((t) => t.ms)),
        firstAttempt: stats(r.times.map((t) => t.firstAttemptMs).filter((v) => !Number.isNaN(v))),
        attemptToConnect: stats(r.times.map((t) => t.attemptToConnectMs).filter((v) => !Number.isNaN(v))),
        recovered: r.times.filter((t) => t.recovered).length })),
    };
    fs.writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 1));
    const row = (name, s) => `| ${name} | ${s.n} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`;
    const md = [`# Failover: reconnection after a worker's SIGKILL, ${stamp}`, "",
      `${results.machine.cpus} CPUs (${results.machine.model}), ${results.machine.kernel}; ${results.machine.java}; `
        + `Node ${process.version}. ${opts.workers} workers, ${opts.clients} clients (socket.io-client defaults), `
        + `${opts.webtransport ? `${opts.webtransport} WebTransport clients (the official client in headless Chromium, `
          + "half on WebTransport alone, half polling then upgrading to it), " : ""}`
        + `${opts.rate} broadcasts/s, ${opts.kills} kills${opts.proxy ? `, behind HAProxy (${path.basename(opts.proxy)})` : ""}`
        + `${opts.recovery ? ", connection state recovery on" : ""}`
        + `${opts.rolls ? `, ${opts.rolls} rolling restart${opts.rolls > 1 ? "s" : ""}` : ""}`
        + `; the clients in ${opts.drivers} Node process${opts.drivers > 1 ? "es" : ""}`
        + `${opts.pin ? "; the servers pinned to CPU 0, the clients' processes and this driver to CPU 1" : ""}.`, "",
      `Steady window (${opts.steady} s, ${opts["ack-rate"]} acknowledged messages/s from the polling-only clients, with the broadcast stream): `
        + `round trip p50 ${steady.rtt.p50} ms, p90 ${steady.rtt.p90} ms, p99 ${steady.rtt.p99} ms, max ${steady.rtt.max} ms; `
        + `${steady.failed} failed; CPU of the host's processes${opts.proxy ? " and HAProxy" : ""} ${steady.cpuMsPerAck.toFixed(3)} ms per acknowledged message `
        + `(${(steady.cpuShare * 100).toFixed(0)}% of one CPU).`, "",
      "Reconnection of the killed worker's clients, as each client saw it (from its `disconnect` to its `connect`), ms:", "",
      "| clients | n | p50 | p90 | p99 | max |", "|---|---|---|---|---|---|",
      row("all", results.reconnection.all), ...kinds.map((k) => row(k, results.reconnection.byKind[k])), "",
      ...(opts.webtransport ? ["The transport of each reconnected client as it was back (an upgrade may follow), by "
        + "kind: " + kinds.map((k) => `${k} (${results.endedOn[k] || "none"})`).join("; ") + ". Every client's "
        + `transport at the end of the run, by kind: ${results.finalTransports}.`, ""] : []),
      `Reconnections that recovered their session (\`socket.recovered\`): ${results.recovered} of ${all.length}.`, "",
      `Attempts per reconnection (the client's \`reconnect_attempt\` events; 1: its first attempt succeeded): `
        + Object.entries(results.attempts).map(([n, k]) => `${n}: ${k}`).join(", ") + `; the first attempt after the `
        + `disconnect, ms: p50 ${results.firstAttempt.p50}, p99 ${results.firstAttempt.p99}, max ${results.firstAttempt.max}; `
        + `errors of the failed attempts: ${Object.entries(results.reconnectErrors).map(([e, k]) => `${e} (${k})`).join(", ") || "none"}.`, "",
      `Clients of the other workers disconnected by a kill: ${results.disturbedOthers} (of ${kills.reduce((a, k) => a + k.others, 0)} client-kills`
        + `${results.disturbedOthers ? `; by kind: ${results.disturbedOthersKinds}; back, ms: p50 `
          + `${results.disturbedOthersBack.p50}, p99 ${results.disturbedOthersBack.p99}, max `
          + `${results.disturbedOthersBack.max}` : ""}); `
        + `broadcasts missed or out of order at the ${results.neverKilled} clients never on a killed worker nor moved: ${results.neverKilledMissed}.`, "",
      "| kill | worker | its clients | back, p50 / p99 / max ms | first attempt, p50 / p99 ms | its attempt to its connect, p50 / p99 ms | others disturbed | the clients' event loop delay, p99 / max ms |",
      "|---|---|---|---|---|---|---|---|",
      ...kills.map((k, i) => {
        const st = stats(k.times.map((t) => t.ms));
        const fa = stats(k.times.map((t) => t.firstAttemptMs).filter((v) => !Number.isNaN(v)));
        const ac = stats(k.times.map((t) => t.attemptToConnectMs).filter((v) => !Number.isNaN(v)));
        return `| ${i + 1} | ${k.worker} | ${k.victims} | ${st.p50} / ${st.p99} / ${st.max} | ${fa.p50} / ${fa.p99} | `
          + `${ac.p50} / ${ac.p99} | ${k.disturbed} of ${k.others} | ${k.clientLoopDelay.p99} / ${k.clientLoopDelay.max} |`;
      }),
      "", ...(rolls.length ? [
        "Rolling restarts (`SIGUSR1` to the primary): each time a client lost its connection, to its next `connect`, ms:", "",
        "| roll | done in ms | clients moved (twice) | losses | recovered | back, p50 / p99 / max ms | first attempt, p50 / p99 ms | its attempt to its connect, p50 / p99 ms | the clients' event loop delay, p99 / max ms |",
        "|---|---|---|---|---|---|---|---|---|",
        ...results.rolls.map((r, i) => `| ${i + 1} | ${r.rolledMs} | ${r.movedClients} of ${r.clients} (${r.movedTwice}) | `
          + `${r.times.length} | ${r.recovered} | ${r.back.p50} / ${r.back.p99} / ${r.back.max} | `
          + `${r.firstAttempt.p50} / ${r.firstAttempt.p99} | ${r.attemptToConnect.p50} / ${r.attemptToConnect.p99} | `
          + `${r.clientLoopDelay.p99} / ${r.clientLoopDelay.max} |`), ""] : [])];
    fs.writeFileSync(path.join(out, "results.md"), md.join("\n"));
    console.log(md.join("\n"));
    log(`results in ${out}`);
    for (const { pageErrors } of await Promise.all(drivers.map((d) => d.ask("close")))) {
      for (const [m, n] of Object.entries(pageErrors ?? {})) log(`the pages' uncaught errors: ${m} (${n})`);
    }
    pub.close();
  } finally {
    await stop();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
