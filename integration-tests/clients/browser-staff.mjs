// The demo's staff room in headless Chromium: two staff members sign in (a token from the demo's token endpoint,
// sent in the CONNECT's auth) and talk; a guest's token is refused with "Forbidden".
// Usage: node browser-staff.mjs <app url> <screenshot dir>
// Prints one JSON line with what each page saw; exits non-zero when something did not happen.
import { launchChromium } from "./chromium.mjs";
import { mkdirSync } from "node:fs";

const [url, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const text = `staff only ${Date.now()}`;
const browser = await launchChromium();
const result = { ok: false };
try {
  const pages = [];
  for (const [name, staff] of [["ada", true], ["bob", true], ["guest", false]]) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(url + "staff.html");
    await page.fill("#user", name);
    if (!staff) await page.uncheck("#staff");
    await page.click("#signin");
    pages.push(page);
  }
  await pages[0].waitForSelector("body[data-connected=true]", { timeout: 15000 });
  await pages[1].waitForSelector("body[data-connected=true]", { timeout: 15000 });
  await pages[2].waitForSelector("body[data-refused]", { timeout: 15000 });
  result.guest = await pages[2].getAttribute("body", "data-refused");
  result.status = await pages[0].innerText("#status");
  await pages[0].fill("#input", text);
  await pages[0].click("#send");
  const seen = pages[1].locator("#messages li", { hasText: text });
  await seen.waitFor({ timeout: 15000 });
  result.received = await seen.first().innerText();
  await pages[0].locator("#messages li", { hasText: "relayed by worker" }).waitFor({ timeout: 15000 });
  result.guestMessages = await pages[2].locator("#messages li").count();
  await pages[1].screenshot({ path: `${shots}/staff-receiver.png` });
  await pages[2].screenshot({ path: `${shots}/staff-guest.png` });
  result.ok = true;
} catch (e) {
  result.error = String(e?.message ?? e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(result.ok ? 0 : 1);
