// The official socket.io-client, as the integration tests install it (integration-tests/clients, from its lock
// file), for the bench scripts that drive a server the way users' clients do.
import { createRequire } from "node:module";

const require = createRequire(new URL("../integration-tests/clients/package.json", import.meta.url));

/** socket.io-client's io(), or an error that says how to install it. */
export function officialClient() {
  try {
    return require("socket.io-client").io;
  } catch {
    throw new Error("socket.io-client not found: run (cd integration-tests/clients && npm ci) once");
  }
}

/** The version of that client, for a report. */
export function officialClientVersion() {
  return require("socket.io-client/package.json").version;
}
