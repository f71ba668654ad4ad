// How long the clients of a killed worker take to be served again, and what the other clients see meanwhile. The
// bench application as a cluster (a primary and 2 workers by default); N official socket.io-client clients with their
// default options (a third polling then upgrading, a third WebSocket only, a third polling only) in room "r"; a
// publisher broadcasting numbered messages at a fixed rate; then, K times, one worker SIGKILLed (never the
// publisher's), its clients' reconnections timed as each client saw them (from its "disconnect" to its "connect"),
// the primary's restart of the worker awaited, and the clients spread again. Started by bench/failover.
//
// Every process it starts is its child, in bench/failover's process group; all are stopped at the end.
import { spawn, execSync } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
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
const kinds = ["upgrade", "websocket", "polling"];

const io = officialClient();

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
  const serverArgs = [...jvm.options, "-Xmx512m", `-Dquarkus.http.port=${port}`, "-Dquarkus.management.enabled=true",
    `-Dquarkus.management.port=${mgmt}`, `-Dquarkus.socketio.cluster.workers=${opts.workers}`,
    ...(opts.recovery ? ["-Dquarkus.socketio.connection-state-recovery.enabled=true"] : []), "-jar", opts.jar];
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
    haproxy?.kill("SIGTERM");
    cluster.kill("SIGTERM");
    await Promise.race([exited, sleep(15_000)]);
    if (cluster.exitCode === null) cluster.kill("SIGKILL");
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
    const clients = [];
    for (let i = 0; i < opts.clients; i++) {
      const kind = kinds[i % 3];
      const o = kind === "websocket" ? { transports: ["websocket"] } : kind === "polling" ? { transports: ["polling"] } : {};
      const s = io(url, { ...o, forceNew: true });
      // a third of the clients, of every kind, are anchors: never moved on purpose
      const anchor = Math.floor(i / 3) % 3 === 0;
      // recoveries: whether each connect got its session back; attempts and errors: the client's attempts to reconnect,
      // and why those that failed did (its Manager's events)
      const c = { i, kind, s, anchor, pid: null, disconnects: [], connects: [], recoveries: [], attempts: [], errors: [],
        last: -1, missed: 0, disorder: 0 };
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
    await waitFor("every client connected", () => clients.every((c) => c.pid !== null));
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
    const pollers = clients.filter((c) => c.kind === "polling");
    const rtts = [];
    const pids = await processes();
    const cpuBefore = pids.map(procCpu);
    const windowStart = performance.now();
    let acked = 0;
    let failed = 0;
    const pending = [];
    for (let n = 0; performance.now() - windowStart < opts.steady * 1000; n++) {
      const c = pollers[n % pollers.length];
      const t0 = performance.now();
      pending.push(c.s.timeout(10_000).emitWithAck("echo", "x").then(() => {
        rtts.push(performance.now() - t0);
        acked++;
      }, () => failed++));
      const wait = windowStart + (n + 1) * (1000 / opts["ack-rate"]) - performance.now();
      await sleep(Math.max(1, wait));
    }
    await Promise.all(pending);
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const cpuSeconds = pids.map((p, i) => procCpu(p) - cpuBefore[i]).reduce((a, b) => a + b, 0);
    const steady = { acked, failed, seconds: windowSeconds, rtt: stats(rtts.map((r) => Math.round(r * 100) / 100)),
      cpuMsPerAck: acked ? (cpuSeconds * 1000) / acked : NaN, cpuShare: cpuSeconds / windowSeconds };
    log(`steady window: ${acked} acknowledged messages of polling clients (${failed} failed), round trip p50 `
      + `${steady.rtt.p50} ms, p99 ${steady.rtt.p99} ms; CPU of the host${haproxy ? " and HAProxy" : ""} `
      + `${steady.cpuMsPerAck.toFixed(3)} ms per message (with the broadcast stream)`);
    const kills = [];
    for (let k = 0; k < opts.kills; k++) {
      await sleep(opts.settle * 1000);
      const s = await state();
      const pids = new Map(s.workers.map((w) => [w.pid, w.id]));
      const counts = new Map();
      for (const c of clients) counts.set(c.pid, (counts.get(c.pid) ?? 0) + 1);
      const victimPid = [...pids.keys()].filter((p) => p !== pubPid).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
      const victims = clients.filter((c) => c.pid === victimPid);
      victims.forEach((c) => (c.wasVictim = true));
      const others = clients.filter((c) => c.pid !== victimPid);
      const before = new Map(clients.map((c) => [c, { connects: c.connects.length, disconnects: c.disconnects.length }]));
      // how late this process's own timers ran during the herd (its clients' reconnection delays among them): what
      // of the times below is the clients' process rather than the servers
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const killedAt = Date.now();
      process.kill(victimPid, "SIGKILL");
      await waitFor(`the clients of worker ${pids.get(victimPid)} back`, () =>
        victims.every((c) => c.connects.length > before.get(c).connects), 60_000, 20);
      const times = victims.map((c) => {
        const d = c.disconnects[before.get(c).disconnects];
        return { kind: c.kind, ms: c.connects[c.connects.length - 1] - d.at, lostAfterKillMs: d.at - killedAt,
          recovered: c.recoveries[c.recoveries.length - 1],
          attempts: c.attempts.filter((t) => t >= d.at).length,
          firstAttemptMs: (c.attempts.find((t) => t >= d.at) ?? NaN) - d.at,
          // from the attempt that succeeded to the connect: the servers' part (and the network's), without the
          // client's own reconnection delay nor how late its timers ran
          attemptToConnectMs: c.connects[c.connects.length - 1] - (c.attempts.filter((t) => t >= d.at).at(-1) ?? NaN),
          errors: c.errors.filter((e) => e.at >= d.at).map((e) => e.error) };
      });
      loopDelay.disable();
      const clientLoopDelay = { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
      const disturbed = others.filter((c) => c.disconnects.length > before.get(c).disconnects).length;
      kills.push({ worker: pids.get(victimPid), victims: victims.length, others: others.length, disturbed, times,
        clientLoopDelay });
      const st = stats(times.map((t) => t.ms));
      log(`kill ${k + 1}: worker ${pids.get(victimPid)} with ${victims.length} clients; back within ${st.max} ms `
        + `(median ${st.p50}); other clients disturbed: ${disturbed} of ${others.length}`);
      // the primary restarts the worker; then the killed worker's clients, and those of the others that are free to
      // move (all but a third, which stay to show what a client that is never moved sees), reconnect, so that each
      // kill finds about as many clients on its worker as the first (without it: half, then a quarter, ...)
      await waitFor("the cluster ready again", allReady);
      const moving = [...victims, ...others.filter((c) => !c.anchor)];
      for (const c of moving) {
        c.pid = null;
        if (!victims.includes(c)) c.moved = true;
      }
      for (const c of moving) {
        c.s.disconnect();
        c.s.connect();
      }
      await waitFor("the clients reconnected", () => clients.every((c) => c.pid !== null));
    }
    publishing = false;
    await publisher;
    await sleep(1000);
    const all = kills.flatMap((k) => k.times);
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
      // reconnections of a killed worker's clients that got their session back (with --recovery all should)
      recovered: all.filter((t) => t.recovered).length,
      // how many attempts each reconnection took (1: the first succeeded), and why the failed ones failed
      attempts: Object.fromEntries([...all.reduce((m, t) => m.set(t.attempts, (m.get(t.attempts) ?? 0) + 1), new Map())]
        .sort((a, b) => a[0] - b[0])),
      firstAttempt: stats(all.map((t) => t.firstAttemptMs).filter((v) => !Number.isNaN(v))),
      reconnectErrors: Object.fromEntries([...all.flatMap((t) => t.errors).reduce((m, e) => m.set(e, (m.get(e) ?? 0) + 1),
        new Map())]),
      // broadcasts that clients never on a killed worker missed or got out of order (both 0 when nothing is lost)
      neverKilled: clients.filter((c) => !c.wasVictim && !c.moved).length,
      neverKilledMissed: clients.filter((c) => !c.wasVictim && !c.moved).reduce((a, c) => a + c.missed + c.disorder, 0),
    };
    fs.writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 1));
    const row = (name, s) => `| ${name} | ${s.n} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`;
    const md = [`# Failover: reconnection after a worker's SIGKILL, ${stamp}`, "",
      `${results.machine.cpus} CPUs (${results.machine.model}), ${results.machine.kernel}; ${results.machine.java}; `
        + `Node ${process.version}. ${opts.workers} workers, ${opts.clients} clients (socket.io-client defaults), `
        + `${opts.rate} broadcasts/s, ${opts.kills} kills${opts.proxy ? `, behind HAProxy (${path.basename(opts.proxy)})` : ""}`
        + `${opts.recovery ? ", connection state recovery on" : ""}`
        + `${opts.pin ? "; the servers pinned to CPU 0, the clients (this driver) to CPU 1" : ""}.`, "",
      `Steady window (${opts.steady} s, ${opts["ack-rate"]} acknowledged messages/s from the polling-only clients, with the broadcast stream): `
        + `round trip p50 ${steady.rtt.p50} ms, p90 ${steady.rtt.p90} ms, p99 ${steady.rtt.p99} ms, max ${steady.rtt.max} ms; `
        + `${steady.failed} failed; CPU of the host's processes${opts.proxy ? " and HAProxy" : ""} ${steady.cpuMsPerAck.toFixed(3)} ms per acknowledged message `
        + `(${(steady.cpuShare * 100).toFixed(0)}% of one CPU).`, "",
      "Reconnection of the killed worker's clients, as each client saw it (from its `disconnect` to its `connect`), ms:", "",
      "| clients | n | p50 | p90 | p99 | max |", "|---|---|---|---|---|---|",
      row("all", results.reconnection.all), ...kinds.map((k) => row(k, results.reconnection.byKind[k])), "",
      `Reconnections that recovered their session (\`socket.recovered\`): ${results.recovered} of ${all.length}.`, "",
      `Attempts per reconnection (the client's \`reconnect_attempt\` events; 1: its first attempt succeeded): `
        + Object.entries(results.attempts).map(([n, k]) => `${n}: ${k}`).join(", ") + `; the first attempt after the `
        + `disconnect, ms: p50 ${results.firstAttempt.p50}, p99 ${results.firstAttempt.p99}, max ${results.firstAttempt.max}; `
        + `errors of the failed attempts: ${Object.entries(results.reconnectErrors).map(([e, k]) => `${e} (${k})`).join(", ") || "none"}.`, "",
      `Clients of the other workers disconnected by a kill: ${results.disturbedOthers} (of ${kills.reduce((a, k) => a + k.others, 0)} client-kills); `
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
      ""];
    fs.writeFileSync(path.join(out, "results.md"), md.join("\n"));
    console.log(md.join("\n"));
    log(`results in ${out}`);
    for (const c of clients) c.s.close();
    pub.close();
  } finally {
    await stop();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
