// The chat demo's inbound limits (quarkus.socketio.inbound.* in its application.properties), and the system properties
// that take them out of reach, for the bench scripts whose senders emit faster than the demo lets one client.
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);

/** The demo's own quarkus.socketio.inbound.* (unprofiled or %prod), by key. */
export function demoLimits() {
  const file = path.join(here, "../integration-tests/chat/src/main/resources/application.properties");
  const props = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^(?:%prod\.)?(quarkus\.socketio\.inbound\.[^=\s]+)\s*=\s*(.*)$/.exec(line.trim());
    if (m) props[m[1]] = m[2];
  }
  return props;
}

/**
 * Properties that switch those limits off: the rates whose 0 means off set to 0, and each named event's raised to a
 * billion a second (a named event's rate has no "off"); what happens past a limit back to the defaults.
 */
export function withoutDemoLimits(props = demoLimits()) {
  const off = {};
  for (const key of Object.keys(props)) {
    if (/^quarkus\.socketio\.inbound\.event\..+\.(per-second|burst)$/.test(key)) off[key] = "1000000000";
    else if (/\.(events|bytes)-per-second$/.test(key)) off[key] = "0";
  }
  off["quarkus.socketio.inbound.exceeded"] = "drop";
  off["quarkus.socketio.inbound.cooldown"] = "0s";
  return off;
}
