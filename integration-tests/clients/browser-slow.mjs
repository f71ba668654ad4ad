// Headless Chromium tabs that stop reading for a while: the drop-oldest policy's proof with browsers.
// Usage: node browser-slow.mjs <app url>
// Opens three tabs, each in a browser context of its own (so a renderer process of its own): WebSocket only, polling
// only, and polling then WebSocket. Each runs the official browser client (the bundle the server serves), connects to
// the main namespace, joins room "big" and keeps account of the "n" events ([origin, seq, padding]) it gets: distinct,
// the highest, out of order, duplicates; and of the counts the "qsio:dropped" events tell. Prints one JSON line
// {"event":"ready","tabs":[...]} once every tab joined (and upgraded, the one that does). On "block <ms>" from stdin,
// the main thread of every tab is kept busy for <ms>, as a frozen tab's is: it reads nothing, and answers
// {"event":"blocked"}. On "report", {"event":"report","tabs":[...]}; "exit" ends.
import { createInterface } from "node:readline";
import { launchChromium } from "./chromium.mjs";

const [url] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const MIXES = [["websocket"], ["polling"], ["polling", "websocket"]];

const browser = await launchChromium();
const tabs = [];
try {
  for (const transports of MIXES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // a page of the application's own origin, then its served client
    await page.goto(`${url}/api/sockets`);
    await page.addScriptTag({ url: `${url}/socket.io/socket.io.min.js` });
    await page.evaluate((transports) => {
      const state = { transports, transport: null, joined: false, connects: 0, disconnects: [], distinct: 0, max: -1,
        outOfOrder: 0, duplicates: 0, dropped: [] };
      const seen = new Set();
      window.state = state;
      const socket = io({ transports });
      socket.on("connect", () => {
        state.connects++;
        socket.timeout(15000).emitWithAck("join", "big").then(() => (state.joined = true), () => {});
      });
      socket.on("disconnect", (reason) => state.disconnects.push(reason));
      socket.on("n", (origin, seq) => {
        if (seen.has(seq)) {
          state.duplicates++;
          return;
        }
        seen.add(seq);
        state.distinct++;
        if (seq < state.max) state.outOfOrder++;
        state.max = Math.max(state.max, seq);
      });
      socket.on("qsio:dropped", (count) => state.dropped.push(count));
      setInterval(() => (state.transport = socket.io.engine?.transport?.name ?? null), 50);
    }, transports);
    tabs.push({ transports, page });
  }
  for (const t of tabs) {
    await t.page.waitForFunction(() => window.state.joined
      && window.state.transport === window.state.transports[window.state.transports.length - 1], null,
      { timeout: 30000 });
  }
  const report = async () => Promise.all(tabs.map((t) => t.page.evaluate(() => window.state)));
  out({ event: "ready", tabs: await report() });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [command, arg] = line.trim().split(/\s+/);
    if (command === "block") {
      for (const t of tabs) {
        await t.page.evaluate((ms) => setTimeout(() => {
          const end = Date.now() + ms;
          while (Date.now() < end) { /* a frozen tab: nothing runs, nothing is read */ }
        }, 0), Number(arg));
      }
      out({ event: "blocked" });
    }
    if (command === "report") out({ event: "report", tabs: await report() });
    if (command === "exit") break;
  }
} catch (e) {
  out({ event: "error", message: String(e?.message ?? e) });
} finally {
  await browser.close();
}
process.exit(0);
