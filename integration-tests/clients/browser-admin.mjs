// The official Socket.IO Admin UI, as the server serves it on the management interface, in headless Chromium.
// Usage: node browser-admin.mjs <page url> <username> <password> <screenshot dir> <socket id to disconnect> <socket id>...
// Logs in through the UI's own form, opens its Sockets page, waits until every given socket is listed, takes a
// screenshot, disconnects the first one with the button of its row, waits until it is no longer listed (the others
// still are) and takes another.
// Prints {"event":"listed"} then {"event":"gone"} (or {"event":"error","message":...}) as JSON lines.
import { launchChromium } from "./chromium.mjs";

const [pageUrl, username, password, dir, ...ids] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  // only the page's own origin and the Socket.IO server are reached
  await page.route((url) => !["localhost", "127.0.0.1"].includes(url.hostname), (route) => route.abort());
  await page.goto(pageUrl);
  await page.getByLabel("Username").fill(username, { timeout: 30000 });
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByLabel("Password").waitFor({ state: "hidden", timeout: 30000 });
  await page.goto(pageUrl + "#/sockets/");
  for (const id of ids) {
    await page.locator("tr", { hasText: id }).first().waitFor({ timeout: 30000 });
  }
  await page.screenshot({ path: `${dir}/admin-ui-sockets.png`, fullPage: true, animations: "disabled" });
  out({ event: "listed" });
  await page.locator("tr", { hasText: ids[0] }).locator("button").last().click();
  // the row goes once the server reports the disconnection (the page is the list still, or again)
  await page.goto(pageUrl + "#/sockets/");
  await page.locator("tr", { hasText: ids[1] }).first().waitFor({ timeout: 30000 });
  await page.waitForFunction((id) => !document.body.innerText.includes(id), ids[0], { timeout: 30000 });
  await page.screenshot({ path: `${dir}/admin-ui-disconnected.png`, fullPage: true, animations: "disabled" });
  out({ event: "gone" });
} catch (e) {
  out({ event: "error", message: String(e?.message ?? e) });
} finally {
  await browser.close();
}
