// Headless Chromium as a raw WebTransport client of an Engine.IO endpoint, for node-suites' WebTransportCasesTest:
// Node's engine.io/test/webtransport.mjs writes and reads Engine.IO's frames itself on a WebTransport session, and the
// browser's WebTransport API does the same here. One browser and one page for every case.
// Usage: node browser-raw-webtransport.mjs <page url> <WebTransport url> <certificate sha-256, base64>
// Prints {"event":"ready"} once the page is up, then runs one command per line of stdin (JSON) and answers each with
// {"event":"done",...} or {"event":"failed","message":...}; "exit" ends.
//   {"op":"open","id":..,"query":..,"stream":true,"handshake":true,"pong":true,"writes":[...]}: a session at the
//     WebTransport url (with the query); unless stream is false, its bidirectional stream; unless handshake is false,
//     the client's OPEN ([1] "0"), answered with the server's first frame as "handshake"; then the writes. With pong,
//     a ping the server writes is answered with a pong and not reported.
//   {"op":"write","id":..,"chunks":[...]}: each chunk written on its own: a string as UTF-8, an array as bytes,
//     {"pattern":n} as n bytes i % 255.
//   {"op":"next","id":..,"ms":..}: the next frame the server wrote: its header's bytes, binary or not, the payload's
//     length, and the payload as text, as bytes (64 at most) or as its SHA-256 (hex).
//   {"op":"close","id":..}: the client closes its session. {"op":"closeAll"}: every session still open.
//   {"op":"closed","id":..,"ms":..}: once the session has ended (or after ms): "settled" (resolved, rejected, or null
//     while open) and "afterReady" (ms from ready to the end).
import { createInterface } from "node:readline";
import { launchChromium } from "./chromium.mjs";

const [pageUrl, wtUrl, hash] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// the page's side: self-contained, as Playwright sends its source to the page
function install() {
  const clients = {};
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // what a stream has delivered and is not read yet, as the chunks it came in
  class Bytes {
    chunks = [];
    size = 0;
    push(chunk) {
      if (chunk.length > 0) {
        this.chunks.push(chunk);
        this.size += chunk.length;
      }
    }
    copy(n, consume) {
      const out = new Uint8Array(n);
      let done = 0;
      let i = 0;
      while (done < n) {
        const c = this.chunks[i];
        const k = Math.min(c.length, n - done);
        out.set(c.subarray(0, k), done);
        done += k;
        if (!consume) {
          i++;
        } else if (k === c.length) {
          this.chunks.shift();
        } else {
          this.chunks[0] = c.subarray(k);
        }
      }
      if (consume) this.size -= n;
      return out;
    }
  }

  // engine.io-parser's frame on this transport: a length (1, 3 or 9 bytes; the top bit of the first marks binary)
  function parse(bytes) {
    if (bytes.size < 1) return null;
    const first = bytes.copy(1, false)[0];
    const short = first & 0x7f;
    const headerLength = short === 126 ? 3 : short === 127 ? 9 : 1;
    if (bytes.size < headerLength) return null;
    const header = bytes.copy(headerLength, false);
    let length = short;
    if (short === 126) length = (header[1] << 8) | header[2];
    if (short === 127) length = Number(new DataView(header.buffer, 1, 8).getBigUint64(0));
    if (bytes.size < headerLength + length) return null;
    bytes.copy(headerLength, true);
    return { header: Array.from(header), binary: (first & 0x80) !== 0, payload: bytes.copy(length, true) };
  }

  function wake(c) {
    c.waiters.splice(0).forEach((r) => r());
  }

  async function pump(c) {
    const bytes = new Bytes();
    try {
      for (;;) {
        const { value, done } = await c.reader.read();
        if (done) break;
        bytes.push(value);
        for (let f = parse(bytes); f !== null; f = parse(bytes)) {
          if (c.pong && !f.binary && f.payload.length === 1 && f.payload[0] === 0x32) {
            c.writer.write(Uint8Array.of(1, 0x33)).catch(() => {});
            continue;
          }
          c.frames.push(f);
          wake(c);
        }
      }
    } catch (e) {
      c.readError = String(e?.message ?? e);
    }
    c.ended = true;
    wake(c);
  }

  async function next(c, ms) {
    const until = performance.now() + ms;
    while (c.frames.length === 0) {
      if (c.ended) throw new Error(`the stream ended (${c.readError ?? "by its end"}) before a frame came`);
      const left = until - performance.now();
      if (left <= 0) throw new Error(`no frame within ${ms} ms`);
      await new Promise((r) => {
        c.waiters.push(r);
        setTimeout(r, left);
      });
    }
    return c.frames.shift();
  }

  async function describe(frame) {
    const d = { header: frame.header, binary: frame.binary, length: frame.payload.length };
    if (!frame.binary) {
      d.text = decoder.decode(frame.payload);
    } else if (frame.payload.length <= 64) {
      d.bytes = Array.from(frame.payload);
    } else {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", frame.payload));
      d.sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    return d;
  }

  function chunk(c) {
    if (typeof c === "string") return encoder.encode(c);
    if (Array.isArray(c)) return Uint8Array.from(c);
    const bytes = new Uint8Array(c.pattern);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 255;
    return bytes;
  }

  async function write(c, chunks) {
    for (const x of chunks ?? []) {
      await c.writer.write(chunk(x));
    }
  }

  const ops = {
    async open(cmd, url, hash) {
      const value = Uint8Array.from(atob(hash), (ch) => ch.charCodeAt(0));
      const wt = new WebTransport(url + (cmd.query ? `?${cmd.query}` : ""),
        { serverCertificateHashes: [{ algorithm: "sha-256", value }] });
      const c = { wt, frames: [], waiters: [], ended: false, end: null, readyAt: null, pong: false };
      clients[cmd.id] = c;
      wt.closed.then((info) => (c.end = { settled: "resolved", at: performance.now(), closeCode: info?.closeCode,
        reason: info?.reason }),
        (e) => (c.end = { settled: "rejected", at: performance.now(), error: String(e?.message ?? e) }));
      try {
        await wt.ready;
      } catch (e) {
        return { ready: false, error: String(e?.message ?? e) };
      }
      c.readyAt = performance.now();
      if (cmd.stream === false) return { ready: true };
      const stream = await wt.createBidirectionalStream();
      c.writer = stream.writable.getWriter();
      c.reader = stream.readable.getReader();
      pump(c);
      let handshake;
      if (cmd.handshake !== false) {
        await write(c, [[1], "0"]);
        handshake = await describe(await next(c, 10000));
      }
      c.pong = cmd.pong !== false;
      await write(c, cmd.writes);
      return { ready: true, handshake };
    },
    async write(cmd) {
      const c = clients[cmd.id];
      try {
        await write(c, cmd.chunks);
        return { written: true };
      } catch (e) {
        // the server may end the session as it reads what was written: the case looks at that end
        return { written: false, error: String(e?.message ?? e) };
      }
    },
    async next(cmd) {
      return describe(await next(clients[cmd.id], cmd.ms ?? 10000));
    },
    async close(cmd) {
      clients[cmd.id].wt.close();
      return {};
    },
    async closeAll() {
      for (const [id, c] of Object.entries(clients)) {
        try {
          if (c.end === null) c.wt.close();
        } catch (e) {
          // ending already
        }
        delete clients[id];
      }
      return {};
    },
    async closed(cmd) {
      const c = clients[cmd.id];
      await Promise.race([c.wt.closed.catch(() => {}), new Promise((r) => setTimeout(r, cmd.ms ?? 10000))]);
      // the handlers that record the end were added first, and have run
      await Promise.resolve();
      return { settled: c.end?.settled ?? null, error: c.end?.error, closeCode: c.end?.closeCode, reason: c.end?.reason,
        afterReady: c.end && c.readyAt !== null ? Math.round(c.end.at - c.readyAt) : null };
    },
  };
  window.raw = (cmd, url, hash) => ops[cmd.op](cmd, url, hash);
}

// WebTransport runs on QUIC
const browser = await launchChromium({ quic: true });
try {
  const page = await browser.newPage();
  page.on("console", (m) => process.stderr.write(`page: ${m.text()}\n`));
  // a page of the application's origin (localhost: a secure context, which WebTransport requires)
  await page.goto(pageUrl);
  await page.evaluate(install);
  out({ event: "ready" });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === "exit") break;
    try {
      const cmd = JSON.parse(line);
      // a command that hangs fails rather than leave the test waiting for its answer
      let timer;
      const hang = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer within 30 s")), 30000);
      });
      const run = page.evaluate(({ cmd, wtUrl, hash }) => window.raw(cmd, wtUrl, hash), { cmd, wtUrl, hash });
      try {
        out({ event: "done", ...(await Promise.race([run, hang])) });
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      out({ event: "failed", message: String(e?.message ?? e), command: line.slice(0, 200) });
    }
  }
} catch (e) {
  out({ event: "failed", message: String(e?.message ?? e) });
} finally {
  await browser.close();
}
process.exit(0);
