// A broadcast to clients on HTTP long-polling: the path bench/run does not take (its load generator speaks
// WebSocket). <clients> official socket.io-clients, polling only, join room "r" of the bench application; a WebSocket
// publisher emits "pub" <messages> times at <rate> a second, each carrying its send time; the server broadcasts each
// to the room from the publisher's socket, so most answers to the clients' GETs are written from another thread than
// their connection's loop. Prints one JSON line: deliveries, the latency from the publisher's send to each delivery
// (p50, p99, max, in ms), and the server's CPU time over the stream (from /proc, its pid asked with "whoami").
// Usage: node bench/polling-fanout.mjs <url> <clients> <messages> <rate>
import { readFileSync } from "node:fs";
import { officialClient } from "./official-client.mjs";
import { percentile } from "./percentile.mjs";

const [url, clientsArg, messagesArg, rateArg] = process.argv.slice(2);
const clients = Number(clientsArg);
const messages = Number(messagesArg);
const rate = Number(rateArg);
const io = officialClient();

const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime, fields 14 and 15 of stat (12 and 13 after the name), in clock ticks of 10 ms
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const latencies = [];
let delivered = 0;
const sockets = [];
await Promise.all(Array.from({ length: clients }, () => new Promise((resolve, reject) => {
  const s = io(url, { transports: ["polling"], reconnection: false });
  s.on("connect_error", reject);
  s.on("connect", () => {
    s.emit("join");
    resolve();
  });
  s.on("msg", (payload) => {
    latencies.push(Date.now() - Number(payload));
    delivered++;
  });
  sockets.push(s);
})));
// the joins are handled in order per socket: one echo each makes sure every join was
await Promise.all(sockets.map((s) => s.timeout(10000).emitWithAck("echo", "joined")));
const publisher = io(url, { transports: ["websocket"], reconnection: false });
await new Promise((resolve) => publisher.on("connect", resolve));
const pid = await publisher.timeout(10000).emitWithAck("whoami");

const before = cpuMs(pid);
const started = Date.now();
for (let i = 0; i < messages; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  publisher.emit("pub", String(Date.now()));
}
const expected = messages * clients;
const deadline = Date.now() + 30000;
while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const elapsed = Date.now() - started;
const cpu = cpuMs(pid) - before;
latencies.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ clients, messages, rate, delivered, expected, elapsedMs: elapsed,
  serverCpuMs: cpu, cpuUsPerDelivery: delivered ? (cpu * 1000) / delivered : null,
  p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] }) + "\n");
for (const s of sockets) s.close();
publisher.close();
process.exit(0);
