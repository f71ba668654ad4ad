// One of bench/failover.mjs's client processes: it holds a share of the official socket.io-client clients (the state
// of each in bench/failover-state.mjs) and answers the driver's requests over the IPC channel. Several of these split
// a herd's clients so that no single Node event loop, running late, adds its own delay to the times measured (one
// process with 1,000 clients ran 0.3 to 0.6 s late at p99 in a herd). Started by bench/failover.mjs with
// child_process.fork; never run alone.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { officialClient } from "./official-client.mjs";
import { answerDriver, failoverClients } from "./failover-state.mjs";

const handlers = failoverClients({
  io: officialClient(),
  kinds: ["upgrade", "websocket", "polling"],
  optionsOf: (kind) => (kind === "websocket" ? { transports: ["websocket"] }
    : kind === "polling" ? { transports: ["polling"] } : {}),
  loopDelay: () => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    return { stop: () => {
      h.disable();
      return { p99: Math.round(h.percentile(99) / 1e6), max: Math.round(h.max / 1e6) };
    } };
  },
});

answerDriver(handlers);
