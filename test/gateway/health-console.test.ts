/**
 * The console shows group health honestly, in headless Chromium against a real gateway
 * with in-process agents: a group with one of its three agents gone wears a `degraded`
 * badge that differs from `active` by more than colour (its word and a dashed border);
 * its page names the profile only one agent offers, and says since when the gone agent
 * is disconnected.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningAgent } from "../../src/agent/agent.ts";
import { startAlertStack, type AlertStack } from "../alerts/alert-stack.ts";
import { launchChromium, type Browser } from "../console/browser.ts";
import { waitFor } from "../support/stack.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, getComputedStyle: any;
let stack: AlertStack;
let browser: Browser;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
const agents: Record<string, RunningAgent> = {};
const dir = mkdtempSync(join(tmpdir(), "outpost-health-console-"));
const profile = (name: string) => `  ${name}:\n    adapter: sqlite\n    path: ${join(dir, `${name}.db`)}\n`;

beforeAll(async () => {
  stack = await startAlertStack({ group: "ops", alerts: { graceMs: 60_000 } });
  await stack.admin.createGroup("calm");
  agents.a = await stack.startAgent("a", "1.0.0", `databases:\n${profile("main")}${profile("tools")}`);
  agents.b = await stack.startAgent("b", "1.0.0", `databases:\n${profile("main")}`);
  agents.c = await stack.startAgent("c", "1.0.0", `databases:\n${profile("main")}`);
  browser = await launchChromium();
  page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } })).newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a degraded group has its own badge, its drift note and a disconnected-since time", async () => {
  await agents.c!.shutdown();
  await waitFor(() => stack.connected().length === 2, "c to leave");
  await page.goto(`https://localhost:${stack.gateway.port}/console`);
  await page.getByLabel("Admin token").fill(stack.adminToken);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Groups" }).waitFor();
  const badge = page.locator('tr[data-group="ops"] .badge');
  await badge.waitFor();
  expect(await badge.textContent()).toBe("degraded");
  expect(await page.locator('tr[data-group="ops"] td').nth(1).textContent()).toBe("2 / 3");
  expect(await page.locator('tr[data-group="ops"] td').nth(4).textContent()).toBe("⚠ only on some agents: tools (a)");
  const border = (selector: string) => page.evaluate((s: string) => getComputedStyle(document.querySelector(s)).borderStyle, selector);
  expect(await border('tr[data-group="ops"] .badge')).toBe("dashed");
  expect(await border('tr[data-group="calm"] .badge')).toBe("solid");

  await page.getByRole("link", { name: "ops" }).click();
  await page.getByRole("heading", { name: /Group ops/ }).waitFor();
  await page.getByRole("note").waitFor();
  expect(await page.getByRole("note").textContent()).toContain("only on some agents: tools (a)");
  expect(await page.locator('tr[data-agent="c"] td').nth(7).textContent()).toStartWith("disconnected since ");
  expect(await page.locator('tr[data-agent="a"] td').nth(7).textContent()).toMatch(/^\d+s ago$/);
}, 60_000);
