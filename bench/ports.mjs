// Free loopback ports for the processes a bench script starts, shared by bench/hosts.mjs and bench/failover.mjs.
import net from "node:net";

/** n ports that were free on 127.0.0.1 a moment ago (each bound at once, then all released). */
export async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, "127.0.0.1", r));
    servers.push(s);
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
