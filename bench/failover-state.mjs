// The clients of one bench/failover driver and what each saw (its disconnects, connects, reconnection attempts, the
// broadcasts it missed), with the driver's requests as handlers. Shared by the Node driver (bench/failover-clients.mjs)
// and the pages of the Chromium driver (bench/failover-browser.mjs), which load this file as a module script: so it
// imports nothing, and what it needs comes in as arguments.
//   io:         socket.io-client's io()
//   kinds:      the client kinds, client i being kinds[i % kinds.length]
//   optionsOf:  the io() options of a kind (over forceNew)
//   loopDelay:  starts a monitor of how late this event loop's timers run; its stop() answers { p99, max } in ms
export function failoverClients({ io, kinds, optionsOf, loopDelay }) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const clients = [];
  let marks = new Map(); // client -> { connects, disconnects } when the driver marked the start of an event
  let victims = [];
  let monitor = null;

  function open(url, indices) {
    for (const i of indices) {
      const kind = kinds[i % kinds.length];
      const s = io(url, { ...optionsOf(kind), forceNew: true });
      // a third of the clients, of every kind, are anchors: never moved on purpose
      const anchor = Math.floor(i / 3) % 3 === 0;
      const c = { i, kind, s, anchor, pid: null, disconnects: [], connects: [], recoveries: [], attempts: [], errors: [],
        last: -1, missed: 0, disorder: 0, wasVictim: false, moved: false, disturbed: false };
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
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
      }
      await sleep(20);
    }
  }

  // A disconnect and the connect that ended it, as the client saw them: the time without a connection, and its parts.
  function gap(c, d) {
    const connect = c.connects.find((t) => t >= d.at);
    const attempts = c.attempts.filter((t) => t >= d.at && t <= connect);
    const k = c.connects.indexOf(connect);
    return { kind: c.kind, ms: connect - d.at, at: d.at, reason: d.reason, recovered: c.recoveries[k],
      transport: c.s.io.engine?.transport?.name ?? null,
      attempts: attempts.length,
      firstAttemptMs: (attempts[0] ?? NaN) - d.at,
      // from the attempt that succeeded to the connect: the servers' part (and the network's), without the client's
      // own reconnection delay
      attemptToConnectMs: connect - (attempts.at(-1) ?? NaN),
      errors: c.errors.filter((e) => e.at >= d.at && e.at <= connect).map((e) => e.error) };
  }

  function startEvent() {
    marks = new Map(clients.map((c) => [c, { connects: c.connects.length, disconnects: c.disconnects.length }]));
    // how late this driver's own timers ran during the event (its clients' reconnection delays among them)
    monitor = loopDelay();
  }

  // every disconnect since the mark that the client did not ask for, with the connect that ended it
  const lost = (c) => c.disconnects.slice(marks.get(c).disconnects).filter((d) => d.reason !== "io client disconnect");

  return {
    async open({ url, indices }) {
      open(url, indices);
      await until(() => clients.every((c) => c.pid !== null), 120_000, "every client connected");
      return { clients: clients.length };
    },
    async settled({ transport }) {
      // every client on that transport (one that starts on polling upgrades after its connect)
      const on = () => clients.filter((c) => c.s.io.engine?.transport?.name === transport).length;
      await until(() => on() === clients.length, 30_000, () => `every client on ${transport}: ${on()} of ${clients.length}`);
      return {};
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
      // the victims back, and any other client the kill disconnected (one whose session lived on another worker but
      // whose connection was the killed worker's: a WebTransport stream relayed to its session's owner) back too
      const others = clients.filter((c) => !victims.includes(c));
      const hit = (c) => c.disconnects.length > marks.get(c).disconnects;
      const waiting = () => clients.filter((c) => (victims.includes(c) || hit(c)) && c.connects.length <= marks.get(c).connects);
      await until(() => waiting().length === 0, 120_000, () => {
        // what the ones still away saw: their kind, attempts and errors since the kill
        const w = waiting();
        const seen = w.slice(0, 5).map((c) => `${c.kind} (${c.disconnects.slice(marks.get(c).disconnects)
          .map((d) => d.reason).join(", ")}; ${c.attempts.filter((t) => t >= c.disconnects.at(-1).at).length} attempts; `
          + `errors ${c.errors.slice(-3).map((e) => e.error).join(" | ")}; active ${c.s.active})`);
        return `the victims back: ${w.length} still away, ${seen.join("; ")}`;
      });
      const times = victims.map((c) => gap(c, c.disconnects[marks.get(c).disconnects]));
      const disturbed = others.filter(hit);
      // a client the kill disconnected missed what was sent meanwhile (without recovery): not counted among the kept
      disturbed.forEach((c) => (c.disturbed = true));
      return { times, others: others.length, disturbed: disturbed.length, disturbedKinds: disturbed.map((c) => c.kind),
        disturbedTimes: disturbed.map((c) => gap(c, c.disconnects[marks.get(c).disconnects])),
        loopDelay: monitor.stop() };
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
        movedTwice: clients.filter((c) => lost(c).length > 1).length, loopDelay: monitor.stop() };
    },
    async move() {
      // the killed worker's clients, and those of the others that are free to move (all but the anchors), reconnect,
      // so that each kill finds about as many clients on its worker as the first
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
      // acknowledged messages of this driver's polling-only clients, at its share of the rate
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
      const kept = clients.filter((c) => !c.wasVictim && !c.moved && !c.disturbed);
      // the transport each client is on at the end, by kind ("kind transport" strings)
      return { neverKilled: kept.length, neverKilledMissed: kept.reduce((a, c) => a + c.missed + c.disorder, 0),
        finalTransports: clients.map((c) => `${c.kind} ${c.s.io.engine?.transport?.name ?? "none"}`) };
    },
    async close() {
      for (const c of clients) c.s.close();
      return {};
    },
  };
}

// A driver process's side of the IPC channel (Node only; never called in a page): each request of bench/failover.mjs
// to its handler, the answer sent back; "close" ends the process once answered, as does the driver's going away
// (after `beforeExit`).
export function answerDriver(handlers, beforeExit = async () => {}) {
  process.on("message", async ({ id, op, ...args }) => {
    try {
      process.send({ id, ok: true, ...(await handlers[op](args)) });
    } catch (e) {
      process.send({ id, ok: false, error: String(e?.stack ?? e) });
    }
    if (op === "close") setTimeout(() => process.exit(0), 100);
  });
  process.on("disconnect", async () => {
    await beforeExit().catch(() => {});
    process.exit(0);
  });
}
