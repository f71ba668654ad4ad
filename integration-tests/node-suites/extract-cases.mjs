// Lists the cases of Node's server test suites (the socket.io monorepo's packages/*/test files), one per line:
// file <TAB> describe > ... > it. Reads a checkout of socketio/socket.io; writes to stdout.
//   node integration-tests/node-suites/extract-cases.mjs <monorepo checkout> > cases.tsv
// The files are formatted by prettier (two spaces per level), so a case's describes are the describe calls at a
// smaller indentation above it. A title may start on the line after the call.
import fs from "node:fs";
import path from "node:path";

export const FILES = [
  "packages/socket.io/test/socket.ts",
  "packages/socket.io/test/namespaces.ts",
  "packages/socket.io/test/messaging-many.ts",
  "packages/socket.io/test/server-attachment.ts",
  "packages/socket.io/test/middleware.ts",
  "packages/socket.io/test/utility-methods.ts",
  "packages/socket.io/test/close.ts",
  "packages/socket.io/test/connection-state-recovery.ts",
  "packages/socket.io/test/socket-timeout.ts",
  "packages/socket.io/test/handshake.ts",
  "packages/socket.io/test/v2-compatibility.ts",
  "packages/socket.io/test/socket-middleware.ts",
  "packages/socket.io/test/uws.ts",
  "packages/engine.io/test/server.js",
  "packages/engine.io/test/middlewares.js",
  "packages/engine.io/test/engine.io.js",
  "packages/engine.io/test/webtransport.mjs",
  "packages/socket.io-cluster-adapter/test/index.ts",
  "packages/socket.io-cluster-engine/test/in-memory.ts",
  "packages/socket.io-cluster-engine/test/redis.ts",
  "packages/socket.io-cluster-engine/test/cluster.ts",
];

const CALL = /^(\s*)(describe|it)(?:\.(?:only|skip))?\(\s*(.*)$/;
const TITLE = /^(["'`])((?:\\.|(?!\1).)*)\1/;

export function cases(source) {
  const lines = source.split("\n");
  const stack = [];
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = CALL.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    let rest = m[3];
    if (rest === "" && i + 1 < lines.length) rest = lines[i + 1].trim();
    const t = TITLE.exec(rest);
    if (!t) throw new Error(`line ${i + 1}: no title in ${lines[i].trim()}`);
    const title = t[2].replace(/\\(["'`\\])/g, "$1").replace(/\s+/g, " ");
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    if (m[2] === "describe") stack.push({ indent, title });
    else {
      // a title Node's file uses twice in one describe: the second is "… (2)"
      const name = [...stack.map((s) => s.title), title].join(" > ").trim();
      let unique = name;
      for (let n = 2; out.includes(unique); n++) unique = `${name} (${n})`;
      out.push(unique);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2];
  for (const f of FILES) {
    for (const c of cases(fs.readFileSync(path.join(root, f), "utf8"))) {
      process.stdout.write(`${f.replace(/^packages\//, "")}\t${c}\n`);
    }
  }
}
