// Drives the WebTransport benchmark from Debian's headless Chromium: one page holds <clients> official socket.io
// clients (the bundle of integration-tests/clients), each its own connection (forceNew), on one transport, and
// follows the commands of bench/webtransport/run on stdin, one JSON line each:
//   {"cmd":"connect"}            connects them all at once, answers {"ms":...} once every one is connected
//   {"cmd":"join"}               every client joins room "r" (the bench application's "join")
//   {"cmd":"publish","count":n}  one client publishes n messages of 100 characters to the room, at most 50 in flight
//                                per turn; answers {"ms":...,"received":...} once every client has them all
//   {"cmd":"disconnect"}         disconnects them all
// Usage: node page.mjs <app url> <transport: websocket|webtransport> <clients> <certificate sha-256, base64>
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
// the clients' Chromium, with their packages (playwright-core, and the socket.io-client bundle below)
import { launchChromium } from "../../integration-tests/clients/chromium.mjs";

const bundle = fileURLToPath(new URL("../../integration-tests/clients/node_modules/socket.io-client/dist/socket.io.min.js",
  import.meta.url));
const [url, transport, clients, hash] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// WebTransport runs on QUIC
const browser = await launchChromium({ quic: true });
try {
  const page = await browser.newPage();
  await page.goto(`${url}/`);
  await page.addScriptTag({ path: bundle });
  await page.evaluate(({ transport, clients, hash }) => {
    const value = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
    window.bench = {
      sockets: [],
      received: 0,
      options: { forceNew: true, reconnection: false, transports: [transport],
        transportOptions: { webtransport: { serverCertificateHashes: [{ algorithm: "sha-256", value }] } } },
      clients,
    };
  }, { transport, clients: Number(clients), hash });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const c = JSON.parse(line);
    const answer = await page.evaluate(async (c) => {
      const b = window.bench;
      const started = performance.now();
      if (c.cmd === "connect") {
        b.received = 0;
        b.sockets = [];
        await Promise.all(Array.from({ length: b.clients }, () => new Promise((resolve, reject) => {
          const s = io(b.options);
          s.on("msg", () => b.received++);
          s.once("connect", () => resolve());
          s.once("connect_error", (e) => reject(new Error(String(e?.message ?? e) + " " + String(e?.description?.message ?? e?.description ?? ""))));
          b.sockets.push(s);
        })));
        const names = new Set(b.sockets.map((s) => s.io.engine.transport.name));
        return { ms: performance.now() - started, transports: [...names] };
      }
      if (c.cmd === "join") {
        await Promise.all(b.sockets.map((s) => s.timeout(30000).emitWithAck("echo", "x").then(() => s.emit("join"))));
        await Promise.all(b.sockets.map((s) => s.timeout(30000).emitWithAck("echo", "joined")));
        return { ms: performance.now() - started };
      }
      if (c.cmd === "publish") {
        b.received = 0;
        const payload = "m".repeat(100);
        const publisher = b.sockets[0];
        const expected = c.count * b.sockets.length;
        for (let i = 0; i < c.count; i += 50) {
          for (let j = i; j < Math.min(c.count, i + 50); j++) publisher.emit("pub", payload);
          await publisher.timeout(30000).emitWithAck("echo", "turn");
        }
        const deadline = performance.now() + 120000;
        while (b.received < expected && performance.now() < deadline) {
          await new Promise((r) => setTimeout(r, 5));
        }
        return { ms: performance.now() - started, received: b.received, expected };
      }
      if (c.cmd === "disconnect") {
        b.sockets.forEach((s) => s.disconnect());
        b.sockets = [];
        return { ms: performance.now() - started };
      }
      return { error: "unknown command " + c.cmd };
    }, c);
    out({ cmd: c.cmd, ...answer });
  }
} catch (e) {
  out({ error: String(e?.message ?? e) });
} finally {
  await browser.close();
}
process.exit(0);
