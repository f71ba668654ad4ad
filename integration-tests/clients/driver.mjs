// Drives real Engine.IO and Socket.IO clients for the Java integration tests.
// Commands arrive as JSON lines on stdin; every client event leaves as a JSON line on stdout.
// Binary values cross the JSON boundary as {"$bin": "<base64>"}.
import { createInterface } from "node:readline";
import { Socket as EngineSocket } from "engine.io-client";
import { io } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";
import { createRequire } from "node:module";

// the Socket.IO 2.x client (Engine.IO protocol 3), for servers with allow-eio3: {"generation": 2} in the options
const ioV2 = createRequire(import.meta.url)("socket.io-client-v2");

const clients = new Map();

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function toJson(value) {
  if (value instanceof ArrayBuffer) return { $bin: Buffer.from(value).toString("base64") };
  if (ArrayBuffer.isView(value)) return { $bin: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") {
    const o = {};
    for (const [k, v] of Object.entries(value)) o[k] = toJson(v);
    return o;
  }
  return value;
}

function fromJson(value) {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === "object") {
    if (typeof value.$bin === "string" && Object.keys(value).length === 1) return Buffer.from(value.$bin, "base64");
    const o = {};
    for (const [k, v] of Object.entries(value)) o[k] = fromJson(v);
    return o;
  }
  return value;
}

// what a message is on the client: a string, a Buffer (Node's default binaryType) or an ArrayBuffer
function kindOf(data) {
  if (typeof data === "string") return "string";
  if (Buffer.isBuffer(data)) return "Buffer";
  if (data instanceof ArrayBuffer) return "ArrayBuffer";
  return typeof data;
}

function engineOpen(cmd) {
  // options of the driver, not of the client: "$binaryType" (the socket's binaryType), "$stallUpgrade" (the probe's
  // transport sends nothing, so the upgrade never completes), "$deafAfterHandshake" (the client reads no packet after
  // the handshake, as Node's cases that remove the transport's "packet" listener)
  // "$closeOnFirstMessage": the client closes as its first message arrives (the rest of that payload is not handled)
  // "$sendSeries": {count, interval}: from its open, the client sends "1", "2", ... "count", one every interval ms, and
  // two at once as it starts upgrading (they wait in its buffer while the transports change), as Node's upgrade case
  const { $binaryType, $stallUpgrade, $deafAfterHandshake, $closeOnFirstMessage, $sendSeries, ...opts } = cmd.opts ?? {};
  const socket = new EngineSocket(cmd.url, opts);
  if ($binaryType) socket.binaryType = $binaryType;
  clients.set(cmd.id, socket);
  socket.on("handshake", (data) => {
    out({ id: cmd.id, event: "handshake", data });
    if ($deafAfterHandshake) socket.transport.removeListener("packet");
  });
  socket.on("open", () => out({ id: cmd.id, event: "open", sid: socket.id, transport: socket.transport.name }));
  socket.on("upgrading", (t) => {
    if ($stallUpgrade) t.send = () => {};
    out({ id: cmd.id, event: "upgrading", transport: t.name });
  });
  socket.on("upgrade", (t) => out({ id: cmd.id, event: "upgrade", transport: t.name }));
  socket.on("upgradeError", (e) => out({ id: cmd.id, event: "upgradeError", message: String(e?.message ?? e) }));
  socket.on("message", (data) => out({ id: cmd.id, event: "message", data: toJson(data), kind: kindOf(data) }));
  if ($closeOnFirstMessage) socket.once("message", () => socket.close());
  if ($sendSeries) socket.once("open", () => {
    let last = 0;
    const twoAtOnce = () => { socket.send(String(++last)); socket.send(String(++last)); };
    socket.once("upgrading", twoAtOnce);
    const timer = setInterval(() => {
      if (last >= $sendSeries.count) {
        clearInterval(timer);
        socket.off("upgrading", twoAtOnce);
        return out({ id: cmd.id, event: "seriesSent", last });
      }
      socket.send(String(++last));
    }, $sendSeries.interval);
  });
  socket.on("close", (reason, desc) => out({ id: cmd.id, event: "close", reason, description: desc ? String(desc.message ?? desc) : null }));
  socket.on("error", (err) => out({ id: cmd.id, event: "error", message: String(err?.message ?? err) }));
}

// a 2.x client: the same events out as socketConnect's; it has no onAny (incoming events are taken where the client
// dispatches them) and reports a refused connection as an "error" event
function socketConnectV2(cmd) {
  const opts = { ...cmd.opts };
  delete opts.generation;
  const socket = ioV2(cmd.url, opts);
  clients.set(cmd.id, socket);
  const replies = cmd.replies ?? {};
  socket.on("connect", () => out({ id: cmd.id, event: "connect", sid: socket.id, engine: socket.io.engine.id, transport: socket.io.engine.transport.name, at: Date.now() }));
  socket.on("error", (err) => out({ id: cmd.id, event: "connect_error", message: String(err?.message ?? err), data: toJson(err?.data ?? null) }));
  socket.on("disconnect", (reason) => out({ id: cmd.id, event: "disconnect", reason, at: Date.now() }));
  socket.on("connect_error", (err) => out({ id: cmd.id, event: "connect_error", message: String(err?.message ?? err), data: null }));
  socket.io.on("reconnect", (attempt) => out({ id: cmd.id, event: "reconnect", attempt }));
  // the answer to the client's ping (revision 3: the client pings)
  socket.io.on("pong", (latency) => out({ id: cmd.id, event: "pong", latency }));
  socket.io.on("open", () => socket.io.engine.on("upgrade", (t) => out({ id: cmd.id, event: "upgrade", transport: t.name })));
  // the Engine.IO session of each connection, to find a client's session in the servers' logs
  socket.io.on("open", () => out({ id: cmd.id, event: "engine_open", engine: socket.io.engine.id, transport: socket.io.engine.transport.name }));
  const onevent = socket.onevent;
  socket.onevent = function (packet) {
    const [event, ...args] = packet.data || [];
    out({ id: cmd.id, event: "event", name: event, args: toJson(args), withAck: packet.id != null });
    if (packet.id != null) {
      const reply = replies[event];
      const silent = reply === undefined || reply === "$none" || (Array.isArray(reply) && reply[0] === "$none");
      if (!silent) this.ack(packet.id)(...fromJson(reply));
    }
    // the client's own listeners still run (none are registered by the driver)
    onevent.call(this, { ...packet, id: undefined });
  };
}

function socketConnect(cmd) {
  if (cmd.opts?.generation === 2) return socketConnectV2(cmd);
  const opts = { ...cmd.opts };
  if (opts.auth) opts.auth = fromJson(opts.auth);
  // the packet format, as the server's quarkus.socketio.parser: "msgpack" for socket.io-msgpack-parser
  if (opts.parser === "msgpack") opts.parser = msgpackParser;
  const socket = io(cmd.url, opts);
  clients.set(cmd.id, socket);
  // answers for server emits that ask for an ack: {"event": [args...]}
  const replies = cmd.replies ?? {};
  socket.on("connect", () => out({ id: cmd.id, event: "connect", sid: socket.id, engine: socket.io.engine.id, transport: socket.io.engine.transport.name, recovered: socket.recovered, pid: socket._pid, offset: socket._lastOffset, at: Date.now() }));
  // for a refused handshake (a TransportError): description, the HTTP status (polling) or the error of the WebSocket;
  // body, what the refusal's response said (polling: the XHR's response)
  socket.on("connect_error", (err) => out({ id: cmd.id, event: "connect_error", message: err.message, data: toJson(err.data ?? null),
    description: err.description == null ? null : String(err.description.message ?? err.description),
    body: typeof err.context?.responseText === "string" ? err.context.responseText : null }));
  // details: for a transport error, what failed (an HTTP status of 0 is a connection that failed)
  socket.on("disconnect", (reason, details) => out({ id: cmd.id, event: "disconnect", reason, offset: socket._lastOffset, at: Date.now(),
    details: details ? String(details.message ?? "") + " " + String(details.description?.message ?? details.description ?? "") : null }));
  socket.io.on("reconnect", (attempt) => out({ id: cmd.id, event: "reconnect", attempt }));
  socket.io.on("open", () => socket.io.engine.on("upgrade", (t) => out({ id: cmd.id, event: "upgrade", transport: t.name })));
  // the Engine.IO session of each connection, to find a client's session in the servers' logs
  socket.io.on("open", () => out({ id: cmd.id, event: "engine_open", engine: socket.io.engine.id, transport: socket.io.engine.transport.name }));
  // a probe that failed: the client stays on polling for the life of that connection
  socket.io.on("open", () => socket.io.engine.on("upgradeError", (e) => out({ id: cmd.id, event: "upgrade_error", message: String(e?.message ?? e), at: Date.now() })));
  // high-volume numbered events are checked here and summarised on "sio.report" instead of printed one by one
  if (cmd.track) {
    socket.tracked = { event: cmd.track, origins: {} };
  }
  socket.onAny((event, ...args) => {
    if (socket.tracked && event === socket.tracked.event) {
      const [origin, seq] = args;
      const o = (socket.tracked.origins[origin] ??= { count: 0, last: -1, outOfOrder: 0, duplicates: 0 });
      o.count++;
      // by what was received before: a redelivery (on which connection), or a first receipt (in order or not)
      const seen = ((socket.tracked.seen ??= {})[origin] ??= new Set());
      if (seen.has(seq)) {
        o.redelivered = (o.redelivered ?? 0) + 1;
        if ((o.redeliveredDetails ??= []).length < 20) {
          o.redeliveredDetails.push({ seq, max: o.max, engine: socket.io.engine?.id, recovered: socket.recovered, at: Date.now() });
        }
      } else {
        seen.add(seq);
        o.distinct = (o.distinct ?? 0) + 1;
        if (seq < (o.max ?? -1)) o.firstOutOfOrder = (o.firstOutOfOrder ?? 0) + 1;
        // events skipped at a first receipt, with the connection they were skipped on
        if (seq > (o.max ?? -1) + 1 && (o.gaps ??= []).length < 20) {
          o.gaps.push({ from: (o.max ?? -1) + 1, to: seq - 1, engine: socket.io.engine?.id, recovered: socket.recovered, at: Date.now() });
        }
        o.max = Math.max(o.max ?? -1, seq);
      }
      if (seq === o.last) {
        o.duplicates++;
        // what the client knew when a duplicate arrived, to tell where it came from
        (o.duplicateDetails ??= []).push({ seq, offset: args[args.length - 1], connected: socket.connected,
          lastOffset: socket._lastOffset, recovered: socket.recovered });
      }
      else if (seq !== o.last + 1) {
        o.outOfOrder++;
        // the first few, to tell a gap from a reordering
        if ((o.outOfOrderDetails ??= []).length < 5) {
          o.outOfOrderDetails.push({ seq, last: o.last, offset: args[args.length - 1], engine: socket.io.engine?.id, recovered: socket.recovered, at: Date.now() });
        }
      }
      o.last = Math.max(o.last, seq);
      return;
    }
    let ack = null;
    if (args.length && typeof args[args.length - 1] === "function") ack = args.pop();
    out({ id: cmd.id, event: "event", name: event, args: toJson(args), withAck: ack !== null });
    if (ack) {
      const reply = replies[event];
      // "$disconnect": the client leaves on receiving the event, without answering
      if (reply === "$disconnect" || (Array.isArray(reply) && reply[0] === "$disconnect")) return socket.disconnect();
      const silent = reply === undefined || reply === "$none" || (Array.isArray(reply) && reply[0] === "$none");
      if (!silent) ack(...fromJson(reply));
    }
  });
}

async function handle(cmd) {
  const c = clients.get(cmd.id);
  switch (cmd.op) {
    case "eio.open": return engineOpen(cmd);
    case "eio.send": return c.send(cmd.binary ? Buffer.from(cmd.data, "base64") : cmd.data);
    case "eio.close": return c.close();
    // the client stops sending anything, pongs included (Node's cases replace its sendPacket with a no-op)
    case "eio.mute": { c._sendPacket = () => {}; return; }
    // the client reads nothing more and does not see its transport close (the transport's listeners removed)
    case "eio.deafen": { c.transport.removeListener("packet"); c.transport.removeListener("close"); return; }
    // writes raw data on the client's transport, under its encoder: a WebSocket frame, or a polling POST's body
    case "eio.rawWrite": {
      if (c.transport.name === "websocket") return c.transport.ws.send(cmd.data);
      return c.transport.doWrite(cmd.data, () => {});
    }
    case "sio.connect": return socketConnect(cmd);
    case "sio.emit": {
      const args = fromJson(cmd.args ?? []);
      if (cmd.ack && c.emitWithAck === undefined) {
        // a 2.x client: no emitWithAck, an ack callback with a timer
        let settled = false;
        const timer = cmd.timeout ? setTimeout(() => {
          settled = true;
          out({ id: cmd.id, event: "ack", ref: cmd.ref, error: "operation has timed out" });
        }, cmd.timeout) : null;
        return c.emit(cmd.event, ...args, (res) => {
          if (settled) return;
          if (timer) clearTimeout(timer);
          out({ id: cmd.id, event: "ack", ref: cmd.ref, args: toJson([res]) });
        });
      }
      if (cmd.ack) {
        const target = cmd.timeout ? c.timeout(cmd.timeout) : c;
        try {
          const res = await target.emitWithAck(cmd.event, ...args);
          out({ id: cmd.id, event: "ack", ref: cmd.ref, args: toJson([res]) });
        } catch (e) {
          out({ id: cmd.id, event: "ack", ref: cmd.ref, error: String(e?.message ?? e) });
        }
        return;
      }
      return c.emit(cmd.event, ...args);
    }
    case "sio.emitRawAck": {
      // an ack callback with several arguments, for handlers that answer with more than one value
      return c.emit(cmd.event, ...fromJson(cmd.args ?? []), (...res) => out({ id: cmd.id, event: "ack", ref: cmd.ref, args: toJson(res) }));
    }
    case "sio.report": return out({ id: cmd.id, event: "report", origins: c.tracked?.origins ?? {} });
    case "sio.disconnect": return c.disconnect();
    case "sio.connectAgain": return c.connect();
    // a raw Engine.IO message under the Socket.IO client, as Node's server tests write one (engine.write)
    case "sio.engineWrite": return c.io.engine.write(cmd.data);
    // the connection is lost as if the network failed: the client reconnects on its own (and may recover)
    case "sio.dropTransport": return c.io.engine.close();
    // the next reconnection goes to another server, as when a load balancer or DNS sends it elsewhere
    case "sio.retarget": { c.io.uri = cmd.url; return; }
    case "close.all": {
      for (const s of clients.values()) s.close?.() ?? s.disconnect?.();
      return;
    }
    case "exit": {
      for (const s of clients.values()) { try { s.close?.(); s.disconnect?.(); } catch {} }
      out({ event: "bye" });
      process.exit(0);
    }
    default: out({ id: cmd.id, event: "driver_error", message: `unknown op ${cmd.op}` });
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  let cmd;
  try { cmd = JSON.parse(line); } catch (e) { return out({ event: "driver_error", message: `bad json: ${line}` }); }
  Promise.resolve().then(() => handle(cmd)).catch((e) => out({ id: cmd.id, event: "driver_error", message: String(e?.stack ?? e) }));
});
rl.on("close", () => process.exit(0));
out({ event: "ready" });
