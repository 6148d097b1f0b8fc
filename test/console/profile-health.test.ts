/**
 * The group page shows each agent's profiles with their health, in headless Chromium
 * against a real gateway and an in-process agent whose files profile has a missing base
 * folder: the failing profile says `failing` with its reason in text (not by colour
 * alone), the healthy one says `ok`; checked against what the admin API reports.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startStack, type Stack } from "../support/stack.ts";
import { launchChromium, type Browser } from "./browser.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, getComputedStyle: any;
let stack: Stack;
let browser: Browser;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;

beforeAll(async () => {
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "present"));
      return "files:\n  inbox:\n    base: ./missing\n  outbox:\n    base: ./present\n";
    },
  });
  await stack.addAgent("alpha");
  browser = await launchChromium();
  page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(10_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a failing profile is shown as failing with its reason, a healthy one as ok", async () => {
  const response = await stack.call("/v1/groups/sales/agents/alpha", { token: stack.adminToken });
  const { agent } = (await response.json()) as { agent: { info: { profiles: { name: string; health: { status: string; reason?: string } }[] } } };
  const reported = agent.info.profiles.find((p) => p.name === "inbox")!.health;
  expect(reported.status).toBe("failing");
  expect(reported.reason).toMatch(/^NOT_FOUND: .*missing does not exist$/);

  await page.goto(`https://localhost:${stack.gateway.port}/console`);
  await page.getByLabel("Admin token").fill(stack.adminToken);
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: "sales" }).click();
  await page.getByRole("heading", { name: /Group sales/ }).waitFor();
  const inbox = page.locator('tr[data-agent="alpha"] li[data-profile="inbox"]');
  await inbox.waitFor();
  expect(await inbox.textContent()).toBe(`inbox failing ${reported.reason}`);
  expect(await inbox.locator(".badge").textContent()).toBe("failing");
  expect(await page.locator('tr[data-agent="alpha"] li[data-profile="outbox"]').textContent()).toBe("outbox ok");
  // Told apart by more than colour: a failing badge is bold, an ok one is not.
  const weight = (selector: string) => page.evaluate((s: string) => getComputedStyle(document.querySelector(s)).fontWeight, selector);
  expect(await weight('li[data-profile="inbox"] .badge')).toBe("600");
  expect(await weight('li[data-profile="outbox"] .badge')).toBe("400");
}, 60_000);
