// Headless Chromium tabs running the official browser client (the bundle the server serves), for the cluster tests.
// Usage: node browser-tabs.mjs <app url> <contexts> <tabs per context>
// Opens <contexts> browser contexts (each its own pool of kept-alive connections, as separate browsers) of <tabs>
// tabs each; every other tab is polling only, the others polling then WebSocket. Each tab connects to the main
// namespace, joins room "stream", counts the "n" events ([origin, seq]) in order and asks "whoami". Prints one JSON
// line {"event":"ready","tabs":[...]} once every tab knows its worker, then on each "report" line from stdin one
// {"event":"report","tabs":[{tab, transports, worker, connects, disconnects, received, outOfOrder}]}; "exit" ends.
import { createInterface } from "node:readline";
import { launchChromium } from "./chromium.mjs";

const [url, contexts = "3", perContext = "4"] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const browser = await launchChromium();
const tabs = [];
try {
  let n = 0;
  for (let c = 0; c < Number(contexts); c++) {
    const context = await browser.newContext();
    for (let t = 0; t < Number(perContext); t++, n++) {
      const page = await context.newPage();
      const transports = n % 2 === 0 ? ["polling"] : ["polling", "websocket"];
      // a page of the application's own origin, then its served client
      await page.goto(`${url}/api/sockets`);
      await page.addScriptTag({ url: `${url}/socket.io/socket.io.min.js` });
      await page.evaluate((transports) => {
        const state = { worker: null, connects: 0, disconnects: [], received: 0, outOfOrder: 0, last: {} };
        window.state = state;
        const socket = io({ transports });
        socket.on("connect", () => {
          state.connects++;
          socket.timeout(10000).emitWithAck("join", "stream").catch(() => {});
          socket.timeout(10000).emitWithAck("whoami").then((w) => (state.worker = w), () => {});
        });
        socket.on("disconnect", (reason) => state.disconnects.push(reason));
        socket.on("n", (origin, seq) => {
          state.received++;
          if (origin in state.last && seq !== state.last[origin] + 1) state.outOfOrder++;
          state.last[origin] = seq;
        });
      }, transports);
      tabs.push({ tab: n, transports, page });
    }
  }
  for (const t of tabs) {
    await t.page.waitForFunction(() => window.state.worker !== null, null, { timeout: 30000 });
  }
  const report = async () => Promise.all(tabs.map(async (t) => ({ tab: t.tab, transports: t.transports,
    ...(await t.page.evaluate(() => { const { last, ...rest } = window.state; return rest; })) })));
  out({ event: "ready", tabs: await report() });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === "report") out({ event: "report", tabs: await report() });
    if (line.trim() === "exit") break;
  }
} catch (e) {
  out({ event: "error", message: String(e?.message ?? e) });
} finally {
  await browser.close();
}
process.exit(0);
