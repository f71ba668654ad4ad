// Waiting for a condition, shared by bench/failover.mjs and bench/flood.mjs.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it answers true (a throw counts as not yet); fails after `timeoutMs`. */
export async function waitFor(what, check, timeoutMs = 120_000, everyMs = 100) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
