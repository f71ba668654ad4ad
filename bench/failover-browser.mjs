// bench/failover.mjs's WebTransport clients: the official socket.io client (the bundle of integration-tests/clients)
// in Debian's headless Chromium, the only client here that speaks WebTransport as users' do. Each page holds at most
// PER_PAGE clients (Chromium gives a page 64 WebTransport sessions), each its own connection with the client's default
// reconnection; half on WebTransport alone, half starting on polling and upgrading to it. Every page keeps its
// clients' state with bench/failover-state.mjs, as the Node drivers do; this process answers the driver's requests
// over the IPC channel with the pages' answers merged. Started by bench/failover.mjs with child_process.fork.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../integration-tests/clients/chromium.mjs";
import { answerDriver } from "./failover-state.mjs";

const PER_PAGE = 50;
const bundle = fileURLToPath(new URL("../integration-tests/clients/node_modules/socket.io-client/dist/socket.io.min.js",
  import.meta.url));
const state = fs.readFileSync(new URL("./failover-state.mjs", import.meta.url), "utf8");

let browser = null;
const pages = [];
// once the run ends, its sessions' closing errors are not news
let closing = false;
const errors = new Map();

// what runs in each page once the bundle and the state module are in: the clients' handlers, as window.failover
function install({ hash }) {
  const value = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
  const webtransport = { webtransport: { serverCertificateHashes: [{ algorithm: "sha-256", value }] } };
  window.failover = window.failoverClients({
    io: window.io,
    kinds: ["webtransport", "polling-webtransport"],
    optionsOf: (kind) => ({ transports: kind === "webtransport" ? ["webtransport"] : ["polling", "webtransport"],
      transportOptions: webtransport }),
    // how late this page's timers run: a 10 ms interval, each tick's lateness
    loopDelay: () => {
      const late = [];
      let expected = performance.now() + 10;
      const timer = setInterval(() => {
        const now = performance.now();
        late.push(Math.max(0, now - expected));
        expected = now + 10;
      }, 10);
      return { stop: () => {
        clearInterval(timer);
        late.sort((a, b) => a - b);
        return { p99: Math.round(late[Math.floor(late.length * 0.99)] ?? 0), max: Math.round(late.at(-1) ?? 0) };
      } };
    },
  });
}

async function openPages(url, hash, indices) {
  browser = await launchChromium({ quic: true });
  for (let k = 0; k < indices.length; k += PER_PAGE) {
    const page = await browser.newPage();
    // each error once (a session's end rejects a promise the client leaves unhandled, one per session)
    page.on("pageerror", (e) => {
      const m = String(e);
      errors.set(m, (errors.get(m) ?? 0) + 1);
      if (!closing && errors.get(m) === 1) console.error(`failover page: ${m} (further ones counted)`);
    });
    await page.goto(`${url}/`);
    await page.addScriptTag({ path: bundle });
    // the module's export ends in the page as window.failoverClients
    await page.addScriptTag({ type: "module", content: `${state}\nwindow.failoverClients = failoverClients;` });
    await page.waitForFunction(() => typeof window.failoverClients === "function");
    await page.evaluate(install, { hash });
    pages.push({ page, indices: indices.slice(k, k + PER_PAGE) });
  }
}

const ask = (op, args) => Promise.all(pages.map(({ page, indices }) =>
  page.evaluate(([op, args]) => window.failover[op](args), [op, op === "open" ? { ...args, indices } : args])));
const sum = (answers, key) => answers.reduce((a, x) => a + x[key], 0);
const worst = (answers) => ({ p99: Math.max(...answers.map((x) => x.loopDelay.p99)),
  max: Math.max(...answers.map((x) => x.loopDelay.max)) });

const handlers = {
  async open({ url, hash, indices }) {
    await openPages(url, hash, indices);
    const a = await ask("open", { url });
    // every client on WebTransport before the kills (the polling-first ones upgrade after their connect): else it fails
    await ask("settled", { transport: "webtransport" });
    return { clients: sum(a, "clients") };
  },
  async pids() {
    return { pids: (await ask("pids")).flatMap((x) => x.pids) };
  },
  async kill(args) {
    return { victims: sum(await ask("kill", args), "victims") };
  },
  async back() {
    const a = await ask("back");
    return { times: a.flatMap((x) => x.times), others: sum(a, "others"), disturbed: sum(a, "disturbed"),
      disturbedKinds: a.flatMap((x) => x.disturbedKinds), disturbedTimes: a.flatMap((x) => x.disturbedTimes),
      loopDelay: worst(a) };
  },
  async roll() {
    await ask("roll");
    return {};
  },
  async rolled() {
    const a = await ask("rolled");
    return { times: a.flatMap((x) => x.times), clients: sum(a, "clients"), movedClients: sum(a, "movedClients"),
      movedTwice: sum(a, "movedTwice"), loopDelay: worst(a) };
  },
  async move() {
    await ask("move");
    return {};
  },
  async steady() {
    // no polling-only clients here
    return { rtts: [], acked: 0, failed: 0 };
  },
  async summary() {
    const a = await ask("summary");
    return { neverKilled: sum(a, "neverKilled"), neverKilledMissed: sum(a, "neverKilledMissed"),
      finalTransports: a.flatMap((x) => x.finalTransports) };
  },
  async close() {
    closing = true;
    await ask("close");
    await browser.close();
    return { pageErrors: Object.fromEntries(errors) };
  },
};

answerDriver(handlers, async () => browser?.close());
