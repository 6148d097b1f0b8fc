/**
 * The console in headless Chromium against a real TLS gateway with real agents: sign in
 * with the keyboard, watch a group turn active when an agent starts (no reload: live
 * events), add an agent and activate it with the command the page shows, disable an
 * agent and see traffic move, create and revoke a token. Saves screenshots of the main
 * pages (see SHOTS).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { REPO } from "../support/binary.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";
import { launchChromium, type Browser } from "./browser.ts";

// Globals of the page, for callbacks that run there (the tests' tsconfig has no DOM lib).
// Callbacks, not strings: the console's Content-Security-Policy forbids eval.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, window: any;

// Every run saves its screenshots under test-results/; OUTPOST_SCREENSHOTS=docs refreshes
// the committed ones that docs/console.md shows (they carry timestamps and one-time codes,
// so writing them on every run would dirty the tree).
const SHOTS = join(REPO, process.env.OUTPOST_SCREENSHOTS === "docs" ? "docs/screenshots" : "test-results/screenshots");
let stack: Stack;
let browser: Browser;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let page: any;
let beta: Subprocess | undefined;
let dbPath: string;

const profiles = () => `databases:\n  main:\n    adapter: sqlite\n    path: ${dbPath}\n`;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

/** Waits until the badge of the row matching `selector` reads `text`. */
function badge(selector: string, text: string) {
  return inPage(([s, t]: string[]) => document.querySelector(`${s} .badge`)?.textContent === t, [selector, text]);
}

/** Waits until `check` (run in the page) returns true. */
function inPage<T>(check: (arg: T) => boolean, arg?: T) {
  return page.waitForFunction(check, arg, { timeout: 15_000 });
}

async function query(): Promise<string> {
  const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return response.headers.get("x-outpost-agent")!;
}

beforeAll(async () => {
  stack = await startStack({ profiles: () => profiles() });
  dbPath = join(stack.dir, "main.db");
  browser = await launchChromium();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  beta?.kill("SIGKILL");
  await browser?.close();
  await stack?.stop();
});

describe("the console", () => {
  test("signs in with an admin token typed at the focused field, kept only in sessionStorage", async () => {
    await page.goto(`https://localhost:${stack.gateway.port}/console`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shot("console-login");
    await page.keyboard.type(stack.token);
    await page.keyboard.press("Enter");
    await page.getByText("This token is not an admin token.").waitFor();
    await page.getByLabel("Admin token").fill(stack.adminToken);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Groups" }).waitFor();
    expect(await page.evaluate(() => [window.sessionStorage.getItem("outpost.token")?.slice(0, 4), window.localStorage.length])).toEqual(["opt_", 0]);
    await badge('tr[data-group="sales"]', "inactive");
    expect(await page.locator('tr[data-group="sales"] td').nth(1).textContent()).toBe("0 / 0");
  });

  test("a group turns active when its agent starts, without a reload", async () => {
    await page.evaluate(() => (window.marker = 1));
    await page.getByText("Live").waitFor();
    await stack.addAgent("alpha");
    await badge('tr[data-group="sales"]', "active");
    expect(await page.locator('tr[data-group="sales"] td').nth(1).textContent()).toBe("1 / 1");
    expect(await page.evaluate(() => window.marker)).toBe(1);
    for (let i = 0; i < 12; i++) await query();
    await inPage(() => document.querySelector('tr[data-group="sales"] td:nth-of-type(3)')?.textContent !== "0");
    await shot("console-groups");
  }, 30_000);

  test("adds an agent and activates it with the command the page shows", async () => {
    await page.getByRole("link", { name: "sales" }).click();
    await page.getByRole("heading", { name: /Group sales/ }).waitFor();
    await page.getByLabel("Agent name").fill("beta");
    await page.getByRole("button", { name: "Add agent" }).click();
    const command: string = await page.locator("#activate-command").textContent();
    expect(command).toMatch(new RegExp(`^outpost activate opa_\\S+ --gateway wss://(localhost|127\\.0\\.0\\.1):${stack.gateway.port}$`));
    await badge('tr[data-agent="beta"]', "awaiting setup");

    const dir = join(stack.dir, "beta");
    mkdirSync(dir, { recursive: true });
    const config = join(dir, "config.yml");
    writeFileSync(config, profiles());
    const cli = ["bun", join(REPO, "src/cli/main.ts")];
    const activate = Bun.spawn([...cli, ...command.split(" ").slice(1), "--ca", stack.ca.certPath, "--config", config], { stdout: "pipe", stderr: "pipe" });
    expect(await activate.exited).toBe(0);
    beta = Bun.spawn([...cli, "run", "--config", config], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    await badge('tr[data-agent="beta"]', "active");
    expect(await page.locator('tr[data-agent="beta"] td').nth(4).textContent()).toBe(String(beta.pid));
  }, 30_000);

  test("disabling an agent moves the traffic to the other one", async () => {
    const before = new Set<string>();
    for (let i = 0; i < 40 && before.size < 2; i++) before.add(await query());
    expect([...before].sort()).toEqual(["alpha", "beta"]);

    await page.getByRole("button", { name: "Disable alpha" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Disable agent alpha?").waitFor();
    await dialog.getByRole("button", { name: "Disable" }).click();
    await badge('tr[data-agent="alpha"]', "disabled");
    await waitFor(() => !stack.gateway.registry.all().some((agent) => agent.agentName === "alpha" && agent.enabled), "alpha to take no new requests");

    const after = new Set<string>();
    for (let i = 0; i < 20; i++) after.add(await query());
    expect([...after]).toEqual(["beta"]);
    await inPage(() => /: [1-9][0-9]* requests/.test(document.querySelector(".chart svg")?.getAttribute("aria-label") ?? ""));
    await shot("console-group");
  }, 30_000);

  test("lists the group's recent requests with their access-line fields, filtered by agent and status", async () => {
    const failed = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select * from nowhere" }) });
    expect(failed.status).toBe(400);
    const id = failed.headers.get("x-request-id")!;
    await page.locator("#requests-status").selectOption("4xx");
    await inPage((requestId: string) => document.querySelector(`tr[data-request="${requestId}"]`) !== null, id);
    const row: string[] = await page.locator(`tr[data-request="${id}"] td`).allTextContents();
    expect(row.slice(1)).toEqual([id, "db.query", "main", "caller", "beta", "400 QUERY_FAILED", expect.stringMatching(/^\d+ \/ \d+$/), expect.any(String)]);
    const statuses: string[] = await page.locator("tr[data-request] td:nth-of-type(7)").allTextContents();
    expect(statuses.every((text) => text.startsWith("4"))).toBe(true);
    // alpha is disabled, so none of its requests failed.
    await page.locator("#requests-agent").selectOption("alpha");
    await page.getByText("No requests match.").waitFor();
  }, 30_000);

  test("creates a token, shows it once, and revokes it", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Tokens" }).click();
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
    await page.getByLabel("Name").fill("reporting");
    await page.getByLabel("Groups").fill("sales");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret: string = await page.locator("#token-secret").textContent();
    expect(secret).toStartWith("opt_");
    expect((await stack.call("/v1/groups/sales", { token: secret })).status).toBe(200);

    await page.getByRole("button", { name: "Revoke reporting" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
    await badge('tr[data-token="reporting"]', "revoked");
    expect((await stack.call("/v1/groups/sales", { token: secret })).status).toBe(401);
    // The screenshot need not show even a revoked secret.
    await page.evaluate(() => (document.querySelector("#token-secret").textContent = "opt_…"));
    await shot("console-tokens");
  }, 30_000);

  test("fits a phone screen", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole("link", { name: "Groups" }).first().click();
    await badge('tr[data-group="sales"]', "active");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("console-phone");
  });
});
