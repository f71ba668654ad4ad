// Debian's headless Chromium for the page tests, kept off the network: only the page under test is reached.
// { quic: true } leaves QUIC on, for WebTransport (still only to the page's server); NETLOG=<file> writes Chromium's
// network log there, to see why a connection failed.
import { chromium } from "playwright-core";

export function launchChromium({ quic = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", ...(quic ? [] : ["--disable-quic"]), "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
      "--disable-extensions", ...(process.env.NETLOG ? [`--log-net-log=${process.env.NETLOG}`] : [])],
  });
}
