// Two headless Chromium pages open the chat demo; one sends a message, the other must show it.
// Usage: node browser-chat.mjs <app url> <screenshot dir> [distinct-workers|any-workers] [second page]
// With a second page (old-client.html: the 2.x client), the second tab opens it instead of the main page, and it
// answers: a message goes each way.
// With distinct-workers, the second page opens in a browser context of its own (its own connection pool: in a
// cluster a TCP connection is handed to the worker that owns its session, so pages sharing a pool share a worker),
// opened again until another worker than the first page's serves it.
// Prints one JSON line with what each page saw; exits non-zero when the message did not arrive.
import { launchChromium } from "./chromium.mjs";
import { mkdirSync } from "node:fs";

const [url, shots, workersMode = "any-workers", secondPage = ""] = process.argv.slice(2);
const text = `hello from page one ${Date.now()}`;
mkdirSync(shots, { recursive: true });

const browser = await launchChromium();
const result = { ok: false };
try {
  const context = await browser.newContext();
  const one = await context.newPage();
  const separate = workersMode === "distinct-workers";
  let second = separate ? await browser.newContext() : context;
  let two = await second.newPage();
  await one.goto(url);
  // not "load": a JSONP client's long poll is a script the page's load event would wait for
  await two.goto(url + secondPage, { waitUntil: "domcontentloaded" });
  await one.waitForSelector("body[data-connected=true]", { timeout: 15000 });
  await two.waitForSelector("body[data-connected=true]", { timeout: 15000 });
  result.workers = [await one.getAttribute("#status", "data-worker"), await two.getAttribute("#status", "data-worker")];
  for (let i = 0; separate && result.workers[0] === result.workers[1] && i < 20; i++) {
    await second.close();
    second = await browser.newContext();
    two = await second.newPage();
    await two.goto(url + secondPage, { waitUntil: "domcontentloaded" });
    await two.waitForSelector("body[data-connected=true]", { timeout: 15000 });
    result.workers[1] = await two.getAttribute("#status", "data-worker");
  }
  await one.fill("#input", text);
  await one.click("#send");
  const seen = two.locator("#messages li", { hasText: text });
  await seen.waitFor({ timeout: 15000 });
  result.received = await seen.first().innerText();
  await one.locator("#messages li", { hasText: "relayed by worker" }).waitFor({ timeout: 15000 });
  result.acknowledged = await one.locator("#messages li").last().innerText();
  if (secondPage) {
    const answer = `answer from the second page ${Date.now()}`;
    await two.fill("#input", answer);
    await two.click("#send");
    const back = one.locator("#messages li", { hasText: answer });
    await back.waitFor({ timeout: 15000 });
    result.answered = await back.first().innerText();
    await two.locator("#messages li", { hasText: "relayed by worker" }).waitFor({ timeout: 15000 });
    result.secondAcknowledged = await two.locator("#messages li").last().innerText();
    result.secondStatus = await two.innerText("#status");
  }
  await one.screenshot({ path: `${shots}/chat-sender.png` });
  await two.screenshot({ path: `${shots}/chat-receiver.png` });
  result.ok = true;
} catch (e) {
  result.error = String(e?.message ?? e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(result.ok ? 0 : 1);
