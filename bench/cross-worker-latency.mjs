// Cross-worker broadcast latency on the chat demo running as a cluster.
// A sender on one worker emits "chat" messages at a fixed rate; receivers connected to another worker measure the
// time from emit to receipt (one process, one clock). Loopback only.
// Usage: node bench/cross-worker-latency.mjs [url=http://127.0.0.1:8080] [rate=200] [seconds=10] [receivers=10]
//        [receiver-url=url]
// With a receiver URL (another host of a cluster on the redis bus), the receivers connect there: cross-host latency.
// The demo lets one client emit 10 "chat" a second: start it with that limit raised for the sender's rate (bench/README.md).
import { officialClient } from "./official-client.mjs";
const io = officialClient();

const [url = "http://127.0.0.1:8080", rate = "200", seconds = "10", wanted = "10", receiverUrl = url] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function connect(target = url) {
  return new Promise((resolve, reject) => {
    const s = io(target, { transports: ["websocket"], reconnection: false });
    s.once("hello", (h) => resolve({ socket: s, worker: h.worker, node: h.node }));
    s.once("connect_error", reject);
  });
}

const sender = await connect();
const receivers = [];
const others = [];
for (let i = 0; receivers.length < Number(wanted) && i < 200; i++) {
  const c = await connect(receiverUrl);
  (c.worker !== sender.worker || c.node !== sender.node ? receivers : others).push(c);
}
others.forEach((c) => c.socket.close());
if (receivers.length < Number(wanted)) throw new Error(`only ${receivers.length} receivers on another worker`);

const latencies = [];
for (const r of receivers) {
  r.socket.on("chat", (m) => {
    const sent = Number(m.text);
    if (!Number.isNaN(sent)) latencies.push(performance.now() - sent);
  });
}
await sleep(500);
const total = Number(rate) * Number(seconds);
const interval = 1000 / Number(rate);
const start = performance.now();
for (let i = 0; i < total; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  sender.socket.emit("chat", String(performance.now()));
}
await sleep(1000);
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const result = {
  sender: `${sender.node}/${sender.worker}`,
  receiver: `${receivers[0].node}/${receivers[0].worker}`,
  receivers: receivers.length,
  rate_per_s: Number(rate),
  messages_sent: total,
  deliveries_expected: total * receivers.length,
  deliveries_measured: latencies.length,
  median_ms: +pct(50).toFixed(2),
  p99_ms: +pct(99).toFixed(2),
  max_ms: +latencies[latencies.length - 1].toFixed(2),
};
console.log(JSON.stringify(result));
[sender, ...receivers].forEach((c) => c.socket.close());
process.exit(0);
