// Opens the Socket.IO card's "Sockets" page of the Dev UI in headless Chromium and waits until it lists a socket.
// Then follows the card's "Admin UI" link, which must lead to the official Admin UI's login form.
// Usage: node devui-sockets.mjs <app url> <socket id> <screenshot dir>
// Prints one JSON line; exits non-zero when the socket did not show.
import { launchChromium } from "./chromium.mjs";
import { mkdirSync } from "node:fs";

const [url, socketId, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await launchChromium();
const result = { ok: false };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  await page.goto(`${url}/q/dev-ui/quarkus-socketio/sockets`);
  await page.locator("#socket-count").waitFor({ timeout: 30000 });
  await page.getByText(socketId).first().waitFor({ timeout: 30000 });
  result.summary = await page.locator("#socket-count").innerText();
  await page.screenshot({ path: `${shots}/devui-sockets.png` });
  await page.goto(`${url}/q/dev-ui/quarkus-socketio/handlers`);
  await page.getByText("chat", { exact: true }).first().waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/devui-handlers.png` });
  // the card's link to the Admin UI (an external page: a plain link that opens a new tab)
  await page.goto(`${url}/q/dev-ui/extensions`);
  const link = page.locator("a.extensionLink", { hasText: "Admin UI" }).first();
  await link.waitFor({ timeout: 30000 });
  result.adminLink = await link.getAttribute("href");
  result.adminUrl = new URL(result.adminLink, url).toString();
  await page.goto(result.adminUrl);
  await page.getByLabel("Username").waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${shots}/devui-admin-ui.png` });
  result.ok = true;
} catch (e) {
  result.error = String(e?.message ?? e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(result.ok ? 0 : 1);
