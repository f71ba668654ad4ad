// The training workload of an AOT cache (bench/aot-train): what a server's connection path meets, so that the JVM
// that records the cache loads, links and profiles it. Official socket.io-client connections in every transport mix
// (polling then the upgrade to WebSocket, WebSocket only, polling only), in waves of `inFlight` at once; each
// connection emits the given events (the acknowledged ones wait for their answer), then leaves.
//
//   node bench/aot-training.mjs <url> [connections per mix] [event[:ack] ...]
//   node bench/aot-training.mjs http://127.0.0.1:8080 1500 join:ack echo:ack pub
//
// Exits 0 when every connection connected, had its acknowledgements answered and left; 1 with the first error.
import { officialClient } from "./official-client.mjs";

const [url, perMixArg = "1500", ...eventArgs] = process.argv.slice(2);
if (!url) {
  console.error("usage: aot-training.mjs <url> [connections per mix] [event[:ack] ...]");
  process.exit(2);
}
const perMix = Number(perMixArg);
const events = (eventArgs.length ? eventArgs : ["echo:ack"]).map((e) => {
  const [name, ack] = e.split(":");
  return { name, ack: ack === "ack" };
});
const io = officialClient();
const inFlight = 50;
const mixes = {
  "polling then websocket": {},
  "websocket only": { transports: ["websocket"] },
  "polling only": { transports: ["polling"] },
};

function session(options) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { ...options, forceNew: true, reconnection: false, timeout: 20_000 });
    const fail = (e) => {
      socket.close();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    socket.on("connect_error", fail);
    socket.on("connect", async () => {
      try {
        // polling first: wait for the upgrade, so that its probe is part of the training
        if (!options.transports) {
          await new Promise((upgraded) => {
            if (socket.io.engine.transport.name === "websocket") upgraded();
            else socket.io.engine.once("upgrade", upgraded);
          });
        }
        for (const e of events) {
          if (e.ack) await socket.timeout(20_000).emitWithAck(e.name, "training");
          else socket.emit(e.name, "training");
        }
        socket.close();
        resolve();
      } catch (err) {
        fail(err);
      }
    });
  });
}

const started = Date.now();
for (const [mix, options] of Object.entries(mixes)) {
  const t0 = Date.now();
  for (let done = 0; done < perMix; done += inFlight) {
    const wave = [];
    for (let i = done; i < Math.min(perMix, done + inFlight); i++) wave.push(session(options));
    try {
      await Promise.all(wave);
    } catch (e) {
      console.error(`aot-training: ${mix}: ${e.message}`);
      process.exit(1);
    }
  }
  console.log(`aot-training: ${perMix} connections, ${mix}, in ${Date.now() - t0} ms`);
}
console.log(`aot-training: done in ${Date.now() - started} ms`);
process.exit(0);
