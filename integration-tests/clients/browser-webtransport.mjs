// Headless Chromium running the official browser client over WebTransport, for WebTransportIT.
// Usage: node browser-webtransport.mjs <app url> <certificate sha-256, base64> <mode> [tabs]
// mode: "direct" (transports: ["webtransport"]), "upgrade" (["polling", "webtransport"]: polling first, then the
// upgrade the server offers) or "default" (the client's default list, ["polling", "websocket", "webtransport"]: it
// probes every upgrade the server offers and keeps the first to answer); "malformed" opens a WebTransport session of its own at the Engine.IO path and writes a
// frame of length 0 on its stream, then prints {"event":"closed"} once the server has closed that session.
// Each tab connects to the main namespace, checks an acknowledgement ("upper"), a binary round trip ("reverse"), joins
// room "wt" and counts the "n" events ([origin, seq]) in order. Prints {"event":"ready","tabs":[...]} once every tab is
// on WebTransport (in "default" mode: once every tab has upgraded, to WebTransport or WebSocket), then answers "report"
// lines on stdin with {"event":"report",...}, "ack" lines with {"event":"ack","tabs":[{tab,transport,upper}]} (each tab
// asks for an acknowledgement on its transport of the moment); "exit" ends.
import { createInterface } from "node:readline";
import { launchChromium } from "./chromium.mjs";

const [url, hash, mode = "direct", count = "1"] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// WebTransport runs on QUIC
const browser = await launchChromium({ quic: true });
const tabs = [];
if (mode === "malformed") {
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/api/sockets`);
    const closed = await page.evaluate(async ({ url, hash }) => {
      const value = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
      const wt = new WebTransport(url.replace("http:", "https:") + "/socket.io/",
        { serverCertificateHashes: [{ algorithm: "sha-256", value }] });
      await wt.ready;
      const stream = await wt.createBidirectionalStream();
      const writer = stream.writable.getWriter();
      // an OPEN packet; once the server has answered it, a frame that says its payload has 0 bytes:
      // engine.io-parser's error case
      const reader = stream.readable.getReader();
      await writer.write(new Uint8Array([1, 0x30]));
      const first = await reader.read().catch(() => ({ done: true }));
      await writer.write(new Uint8Array([0])).catch(() => {});
      const timeout = new Promise((r) => setTimeout(() => r("still open after 10 s"), 10000));
      const end = await Promise.race([wt.closed.then(() => "closed", () => "closed"), timeout]);
      return { end, opened: !first.done };
    }, { url, hash });
    out({ event: closed.end === "closed" ? "closed" : "error", ...closed });
  } catch (e) {
    out({ event: "error", message: String(e?.message ?? e) });
  } finally {
    await browser.close();
  }
  process.exit(0);
}
try {
  const context = await browser.newContext();
  for (let n = 0; n < Number(count); n++) {
    const page = await context.newPage();
    page.on("console", (m) => process.stderr.write(`tab ${n}: ${m.text()}\n`));
    await page.goto(`${url}/api/sockets`);
    await page.addScriptTag({ url: `${url}/socket.io/socket.io.min.js` });
    await page.evaluate(({ hash, mode }) => {
      const value = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
      const state = { transport: null, upgraded: false, worker: null, connects: 0, disconnects: [], received: 0,
        outOfOrder: 0, last: {}, upper: null, reversed: null, errors: [], connectedAt: [], disconnectedAt: [] };
      window.state = state;
      const socket = io({
        ...(mode === "default" ? {} : { transports: mode === "direct" ? ["webtransport"] : ["polling", "webtransport"] }),
        transportOptions: { webtransport: { serverCertificateHashes: [{ algorithm: "sha-256", value }] } },
      });
      window.socket = socket;
      socket.io.engine.on("upgrade", (t) => { state.upgraded = true; state.transport = t.name; });
      // a failed upgrade leaves the client on polling for good: said in the report rather than only by a timeout
      socket.io.engine.on("upgradeError", (e) => state.errors.push(`upgradeError: ${e?.message ?? e}`));
      socket.on("connect_error", (e) => state.errors.push(String(e?.message ?? e)));
      socket.on("connect", async () => {
        state.connects++;
        // the page's clock (the machine's): when each connection began, to time a reconnection from the outside
        state.connectedAt.push(Date.now());
        state.transport = socket.io.engine.transport.name;
        try {
          state.upper = await socket.timeout(10000).emitWithAck("upper", "webtransport");
          const bytes = await socket.timeout(10000).emitWithAck("reverse", new Uint8Array([1, 2, 3, 250]));
          state.reversed = Array.from(new Uint8Array(bytes));
          // frames past the 1-byte length (126: a 16-bit length; 127: a 64-bit one), both ways
          for (const size of [300, 70000]) {
            const big = new Uint8Array(size);
            big[0] = 7;
            big[size - 1] = 9;
            const back = new Uint8Array(await socket.timeout(10000).emitWithAck("reverse", big));
            state.large = (state.large ?? []).concat([[back.length, back[0], back[size - 1]]]);
          }
          state.long = (await socket.timeout(10000).emitWithAck("upper", "w".repeat(1000))).length;
          await socket.timeout(10000).emitWithAck("join", "wt");
          state.worker = await socket.timeout(10000).emitWithAck("whoami").catch(() => "single");
        } catch (e) {
          state.errors.push(String(e?.message ?? e));
        }
      });
      socket.on("disconnect", (reason) => {
        state.disconnects.push(reason);
        state.disconnectedAt.push(Date.now());
      });
      socket.on("n", (origin, seq) => {
        state.received++;
        if (origin in state.last && seq !== state.last[origin] + 1) state.outOfOrder++;
        state.last[origin] = seq;
      });
    }, { hash, mode });
    tabs.push({ tab: n, page });
  }
  for (const t of tabs) {
    await t.page.waitForFunction((mode) => window.state.worker !== null && (mode === "default"
      ? window.state.upgraded : window.state.transport === "webtransport"), mode, { timeout: 30000 });
  }
  const report = async () => Promise.all(tabs.map(async (t) => ({ tab: t.tab,
    ...(await t.page.evaluate(() => { const { last, ...rest } = window.state; return rest; })) })));
  out({ event: "ready", tabs: await report() });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === "report") out({ event: "report", tabs: await report() });
    if (line.trim() === "ack") {
      out({ event: "ack", tabs: await Promise.all(tabs.map(async (t) => ({ tab: t.tab, ...(await t.page.evaluate(
        async (n) => ({ transport: window.socket.io.engine.transport.name,
          upper: await window.socket.timeout(10000).emitWithAck("upper", `after ${n}`).catch((e) => String(e)) }),
        t.tab)) }))) });
    }
    if (line.trim() === "exit") break;
  }
} catch (e) {
  let states = [];
  try {
    states = await Promise.all(tabs.map((t) => t.page.evaluate(() => window.state)));
  } catch (ignored) { /* the page is gone */ }
  out({ event: "error", message: String(e?.message ?? e), states });
} finally {
  await browser.close();
}
process.exit(0);
