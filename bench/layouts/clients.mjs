// Holds N Socket.IO clients (the official client, default options: polling then WebSocket, reconnection on) against
// a URL and prints one JSON line a second: connected now, and lost: how many distinct clients lost their connection
// since the last SIGUSR2 (or the start).
// node clients.mjs <url> <n> <seconds>
import { io } from "socket.io-client";

const [url, n, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let connected = 0;
let lost = new Set();
process.on("SIGUSR2", () => { lost = new Set(); });
const sockets = [];
for (let i = 0; i < n; i++) {
  const s = io(url, { reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  s.on("connect", () => { connected++; });
  s.on("disconnect", () => { connected--; lost.add(i); });
  sockets.push(s);
}
const report = setInterval(() => console.log(JSON.stringify({ t: Date.now(), connected, lost: lost.size })), 1000);
setTimeout(() => { clearInterval(report); sockets.forEach((s) => s.close()); process.exit(0); }, seconds * 1000);
