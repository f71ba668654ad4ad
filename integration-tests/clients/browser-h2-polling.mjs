// A headless Chromium tab on HTTPS, where it speaks HTTP/2, polling only: the proof that a polling session over one
// HTTP/2 connection keeps working while the server writes to it from another thread and the tab sends all the time.
// Usage: node browser-h2-polling.mjs <https app url> <events> <orders>
// The tab runs the official browser client (the bundle the server serves) with transports ["polling"], asks for
// "own-stream" (<events> events "n" to itself, sent by the server from a worker thread, back to back) and, at once,
// emits "order" 0..<orders>-1 one after the other (the server answers each with "order-back"): its POSTs follow each
// other on the connection that carries its GETs. Prints one JSON line {"event":"result", ...}: the protocol of every
// request to the server (from the Resource Timing entries), what arrived (in order, duplicates), the disconnects, and
// whether everything arrived within 60 s. The certificate is the test's own, self-signed: the browser is told to take it.
import { chromium } from "playwright-core";

const [url, events, orders] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--ignore-certificate-errors"],
});
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${url}/api/sockets`);
  await page.addScriptTag({ url: `${url}/socket.io/socket.io.min.js` });
  await page.evaluate(([events, orders]) => {
    const state = { connects: 0, disconnects: [], got: 0, outOfOrder: 0, orderBacks: 0, ordersOutOfOrder: 0,
      streamAck: null, done: false };
    window.state = state;
    const socket = io({ transports: ["polling"] });
    socket.on("n", (origin, seq) => {
      if (seq !== state.got) state.outOfOrder++;
      state.got++;
      check();
    });
    socket.on("order-back", (n) => {
      if (n !== state.orderBacks) state.ordersOutOfOrder++;
      state.orderBacks++;
      check();
    });
    const check = () => {
      state.done = state.got >= events && state.orderBacks >= orders;
    };
    socket.on("disconnect", (reason) => state.disconnects.push(reason));
    socket.on("connect", () => {
      state.connects++;
      if (state.connects > 1) return;
      socket.timeout(60000).emitWithAck("own-stream", "T", events, 0).then((n) => (state.streamAck = n),
        (e) => (state.streamAck = String(e)));
      let n = 0;
      // one emit a task: the client sends what queued meanwhile in its next POST, once the one in flight answered
      const next = () => {
        if (n < orders && socket.connected) {
          socket.emit("order", n++);
          setTimeout(next, 0);
        }
      };
      next();
    });
  }, [Number(events), Number(orders)]);
  let finished = true;
  try {
    await page.waitForFunction(() => window.state.done, null, { timeout: 60000, polling: 100 });
  } catch (e) {
    finished = false;
  }
  const state = await page.evaluate(() => window.state);
  const protocols = await page.evaluate(() => [...new Set(performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/socket.io/")).map((e) => e.nextHopProtocol))]);
  out({ event: "result", finished, protocols, ...state });
} catch (e) {
  out({ event: "error", message: String(e?.message ?? e) });
} finally {
  await browser.close();
}
process.exit(0);
