/**
 * @module
 * Headless Chromium for the console tests: Debian's `/usr/bin/chromium` driven by
 * `playwright-core` (never a browser download). playwright-core is installed into the
 * gitignored `.tmp/browser` on first use when it is not a dependency of the project.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../support/binary.ts";

const PLAYWRIGHT_VERSION = "1.65.1";
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// playwright-core's types are not available to tsc unless it is a dependency; the tests
// use a handful of its calls, typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Browser = { newContext(options: object): Promise<any>; close(): Promise<void> };

async function playwrightEntry(): Promise<string> {
  const local = join(REPO, "node_modules/playwright-core/index.mjs");
  if (existsSync(local)) return local;
  const prefix = join(REPO, ".tmp/browser");
  const entry = join(prefix, "node_modules/playwright-core/index.mjs");
  if (!existsSync(entry)) {
    const install = Bun.spawn(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", `playwright-core@${PLAYWRIGHT_VERSION}`], { stdout: "inherit", stderr: "inherit" });
    if ((await install.exited) !== 0) throw new Error("npm install playwright-core failed");
  }
  return entry;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const { chromium } = await import(await playwrightEntry());
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
