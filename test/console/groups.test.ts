/**
 * Creating and deleting groups in the console, in headless Chromium against a real TLS
 * gateway: the form creates a group (listed at once, focus on it), the API's errors show
 * beside the field they are about, an empty group is deleted after confirming, a group
 * with agents says why it cannot be, and a caller token never gets the form. Every step
 * is also checked through the admin API, not only on the page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { REPO } from "../support/binary.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { launchChromium, type Browser } from "./browser.ts";

// Globals of the page, for callbacks that run there (the tests' tsconfig has no DOM lib).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, window: any;

// Same convention as console.test.ts: OUTPOST_SCREENSHOTS=docs refreshes the committed one.
const SHOTS = join(REPO, process.env.OUTPOST_SCREENSHOTS === "docs" ? "docs/screenshots" : "test-results/screenshots");
let stack: Stack;
let browser: Browser;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;

interface GroupView { name: string; agentCount: number; settings: { allowedCidrs: string[]; alertWebhooks?: string[] } }

/** The groups as the admin API lists them. */
async function groups(): Promise<GroupView[]> {
  const response = await stack.call("/v1/groups", { token: stack.adminToken });
  expect(response.status).toBe(200);
  return ((await response.json()) as { groups: GroupView[] }).groups;
}

/** What the admin API answers to creating `body` directly: the message the page must show. */
async function apiError(body: object): Promise<string> {
  const response = await stack.call("/v1/groups", { method: "POST", token: stack.adminToken, body: JSON.stringify(body) });
  expect(response.status).toBeGreaterThanOrEqual(400);
  return ((await response.json()) as { error: { message: string } }).error.message;
}

const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
const text = (selector: string) => page.locator(selector).textContent();

async function signIn(token: string) {
  await page.goto(`https://localhost:${stack.gateway.port}/console`);
  await page.getByLabel("Admin token").fill(token);
  await page.keyboard.press("Enter");
}

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // Fail a step well inside the test's own timeout, with Playwright's account of what it waited for.
  page.setDefaultTimeout(10_000);
  await signIn(stack.adminToken);
  await page.locator('tr[data-group="sales"]').waitFor();
  await page.evaluate(() => (window.marker = 1));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("groups in the console", () => {
  test("creates a group with the keyboard; it is listed at once and focus lands on it", async () => {
    await page.getByLabel("Name").fill("paris");
    await page.getByText("Settings (optional)").click();
    await page.getByLabel(/Addresses agents may connect from/).fill("10.0.0.0/8\n 2001:db8::/32 \n");
    await page.getByLabel("Name").focus();
    await page.keyboard.press("Enter");
    await page.locator('tr[data-group="paris"]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("paris");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("href"))).toBe("#/groups/paris");
    expect(await text("#groups-message")).toBe("Group paris created.");
    expect(await page.getByLabel("Name").inputValue()).toBe("");
    expect(await page.evaluate(() => window.marker)).toBe(1);

    const paris = (await groups()).find((group) => group.name === "paris");
    expect(paris?.settings.allowedCidrs).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    expect(paris?.agentCount).toBe(0);
  }, 30_000);

  test("a duplicate name shows the API's message beside the name field", async () => {
    const expected = await apiError({ name: "paris" });
    expect(expected).toBe('group "paris" already exists');
    await page.getByLabel("Name").fill("paris");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.locator("#group-name-error").getByText(expected).waitFor();
    expect(await focusedId()).toBe("group-name");
    expect(await page.getByLabel("Name").getAttribute("aria-invalid")).not.toBeNull();
    expect(await page.getByLabel("Name").getAttribute("aria-describedby")).toContain("group-name-error");
    expect(await page.locator("#group-name-error").getAttribute("role")).toBe("alert");
    expect((await groups()).filter((group) => group.name === "paris")).toHaveLength(1);
    await page.screenshot({ path: join(SHOTS, "console-new-group.png") });
  }, 30_000);

  test("a bad name and a bad address range each show the API's message at their own field", async () => {
    const badName = await apiError({ name: "bad name!" });
    await page.getByLabel("Name").fill("bad name!");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.locator("#group-name-error").getByText(badName).waitFor();

    const badCidr = await apiError({ name: "lyon", settings: { allowedCidrs: ["10.0.0.1/8"] } });
    await page.getByLabel("Name").fill("lyon");
    await page.getByText("Settings (optional)").click();
    await page.getByLabel(/Addresses agents may connect from/).fill("10.0.0.1/8");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.locator("#group-cidrs-error").getByText(badCidr).waitFor();
    expect(await focusedId()).toBe("group-cidrs");
    expect(await text("#group-name-error")).toBe("");
    expect((await groups()).map((group) => group.name)).toEqual(["paris", "sales"]);
    await page.getByLabel(/Addresses agents may connect from/).fill("");
  }, 30_000);

  test("deletes an empty group only after confirming", async () => {
    await page.getByRole("button", { name: "Delete paris" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Delete group paris?").waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Delete paris");
    expect((await groups()).map((group) => group.name)).toContain("paris");

    await page.getByRole("button", { name: "Delete paris" }).click();
    await dialog.getByRole("button", { name: "Delete group" }).click();
    await page.locator('tr[data-group="paris"]').waitFor({ state: "detached" });
    expect(await text("#groups-message")).toBe("Group paris deleted.");
    expect(await focusedId()).toBe("groups-message");
    expect((await groups()).map((group) => group.name)).toEqual(["sales"]);
  }, 30_000);

  test("a group with agents says why it cannot be deleted and offers no dialog", async () => {
    const added = await stack.call("/v1/groups/sales/agents", { method: "POST", token: stack.adminToken, body: JSON.stringify({ name: "db01" }) });
    expect(added.status).toBe(201);
    await page.waitForFunction(() => document.querySelector('tr[data-group="sales"] td:nth-of-type(2)')?.textContent === "0 / 1", undefined, { timeout: 15_000 });
    await page.getByRole("button", { name: "Delete sales" }).click();
    await page.locator("#groups-message").getByText("Group sales cannot be deleted: it still has 1 agent.").waitFor();
    expect(await page.getByRole("dialog").isVisible()).toBe(false);
    expect((await groups()).find((group) => group.name === "sales")?.agentCount).toBe(1);
  }, 30_000);

  test("a live refresh rebuilds the table but keeps the keyboard on the same button", async () => {
    await page.getByRole("button", { name: "Delete sales" }).focus();
    await page.evaluate(() => (document.activeElement.dataset.old = "1"));
    const patched = await stack.call("/v1/groups/sales", { method: "PATCH", token: stack.adminToken, body: JSON.stringify({ settings: { alertWebhooks: [] } }) });
    expect(patched.status).toBe(200);
    await page.waitForFunction(() => !document.querySelector("[data-old]"), undefined, { timeout: 15_000 });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Delete sales");
  }, 30_000);

  test("when an agent is added while confirming, the API's refusal is shown and nothing is forced", async () => {
    await page.getByLabel("Name").fill("lyon");
    await page.keyboard.press("Enter");
    await page.locator('tr[data-group="lyon"]').waitFor();
    await page.getByRole("button", { name: "Delete lyon" }).click();
    await page.getByRole("dialog").getByText("Delete group lyon?").waitFor();
    // Straight into the store: no live event, so the page still believes lyon is empty.
    await stack.admin.addAgent("lyon", "late", undefined);
    const refusal = (await stack.call("/v1/groups/lyon", { method: "DELETE", token: stack.adminToken }).then((r) => r.json())) as { error: { message: string } };
    await page.getByRole("dialog").getByRole("button", { name: "Delete group" }).click();
    await page.locator("#groups-message").getByText(refusal.error.message).waitFor();
    expect((await groups()).find((group) => group.name === "lyon")?.agentCount).toBe(1);
  }, 30_000);

  test("a caller token never gets the form, not even when put into the tab by hand", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 800 } });
    const other = await context.newPage();
    try {
      await other.goto(`https://localhost:${stack.gateway.port}/console`);
      await other.getByLabel("Admin token").fill(stack.token);
      await other.keyboard.press("Enter");
      await other.getByText("This token is not an admin token.").waitFor();
      expect(await other.locator("#new-group").count()).toBe(0);

      await other.evaluate((token: string) => window.sessionStorage.setItem("outpost.token", token), stack.token);
      await other.reload();
      await other.getByText("This token is not an admin token.").waitFor();
      expect(await other.locator("#new-group").count()).toBe(0);
      expect(await other.locator("#view table").count()).toBe(0);
      expect(await other.evaluate(() => window.sessionStorage.getItem("outpost.token"))).toBeNull();
    } finally {
      await context.close();
    }
    const refused = await stack.call("/v1/groups", { method: "POST", body: JSON.stringify({ name: "nope" }) });
    expect(refused.status).toBe(403);
    expect((await groups()).map((group) => group.name)).not.toContain("nope");
  }, 30_000);
});

describe("a group's settings form", () => {
  test("shows the API's message beside the field it is about, not in a toast", async () => {
    const patch = await stack.call("/v1/groups/sales", { method: "PATCH", token: stack.adminToken, body: JSON.stringify({ settings: { allowedCidrs: ["10.0.0.1/8"] } }) });
    expect(patch.status).toBe(400);
    const message = ((await patch.json()) as { error: { message: string } }).error.message;
    await page.goto(`https://localhost:${stack.gateway.port}/console#/groups/sales`);
    await page.getByRole("button", { name: "Save settings" }).waitFor();
    await page.locator("#cidrs").fill("10.0.0.1/8");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.locator("#cidrs-error").getByText(message).waitFor();
    expect(await focusedId()).toBe("cidrs");
    expect(await page.locator("#cidrs").getAttribute("aria-invalid")).not.toBeNull();
    expect(await text("#hooks-error")).toBe("");
    expect(await text("#toast")).not.toContain(message);

    await page.locator("#cidrs").fill("10.0.0.0/8");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForFunction(() => document.querySelector("#cidrs-error")?.textContent === "", undefined, { timeout: 10_000 });
    expect((await groups()).find((group) => group.name === "sales")?.settings.allowedCidrs).toEqual(["10.0.0.0/8"]);
  }, 30_000);
});
