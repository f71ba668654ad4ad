// What every Node-side target of the benchmark serves, whatever runs it (Node's HTTP server, uWebSockets.js, Bun):
// "join" enters room "r", "pub" broadcasts its argument to the room as "msg", "all" broadcasts its argument to every
// socket as "msg", "echo" acknowledges with its argument, "whoami" with the pid of the process serving the socket.

/** The bench application's handlers on a socket.io server. */
export function serve(io) {
  io.on("connection", (socket) => {
    socket.on("join", (...args) => {
      socket.join("r");
      const ack = args[args.length - 1];
      if (typeof ack === "function") ack();
    });
    socket.on("pub", (payload) => io.to("r").emit("msg", payload));
    socket.on("all", (payload) => io.emit("msg", payload));
    socket.on("echo", (value, ack) => ack(value));
    socket.on("whoami", (ack) => ack(process.pid));
  });
}

/**
 * The harness asks for a garbage collection (SIGUSR2) before it reads the resident memory, and reads the resident set
 * only once "gc done in <pid>" is in the log: the signal is handled when the event loop gets to it, which on a busy
 * machine may be long after it was sent. {@code collect} is the runtime's full collection (Node: global.gc under
 * --expose-gc; Bun: Bun.gc(true)).
 */
export function answerGcRequests(collect) {
  process.on("SIGUSR2", () => {
    collect?.();
    console.log(`gc done in ${process.pid}`);
  });
}
