/**
 * An autoReload edit of config.yml under load, for a group of ONE agent: callers query an
 * unaffected SQLite profile without pause while a files profile is added, changed and
 * removed several times. Every edit reaches the gateway (it routes by the new offer), and
 * not one request of the unaffected profile fails: the agent hands over to a new connection
 * before the old one stops taking requests (make-before-break).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

let stack: Stack;
let configPath: string;
let agentDir: string;

/** The profile the callers use; the edits never touch it. */
const unaffected = (dir: string) => `databases:\n  main:\n    adapter: sqlite\n    path: ${join(dir, "main.db")}\n`;

beforeAll(async () => {
  stack = await startStack({ profiles: unaffected, extraConfig: "autoReload: true" });
  const agent = await stack.addAgent("solo");
  configPath = agent.configPath;
  agentDir = agent.dir;
});

afterAll(async () => {
  await stack.stop();
});

const MARK = "# --- edited by the test ---";

/** Rewrites config.yml with `block` (or nothing) after the part activation wrote. */
function editConfig(block: string) {
  const base = readFileSync(configPath, "utf8").split(MARK)[0]!.trimEnd();
  writeFileSync(configPath, block ? `${base}\n${MARK}\n${block}\n` : `${base}\n`);
}

function offered(): Record<string, string> {
  const live = stack.gateway.registry.all().find((agent) => agent.agentName === "solo");
  return Object.fromEntries((live?.info.profiles ?? []).map((profile) => [profile.name, profile.hash]));
}

test("profile edits under load: 0 failed requests for the unaffected profile, every edit reaches the gateway", async () => {
  for (const folder of ["a", "b"]) mkdirSync(join(agentDir, folder), { recursive: true });
  const failures: string[] = [];
  let served = 0;
  let running = true;
  const caller = async () => {
    while (running) {
      const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
      const text = await response.text();
      if (response.status === 200) served++;
      else failures.push(`${response.status} ${text.slice(0, 200)}`);
    }
  };
  const callers = Array.from({ length: 4 }, caller);
  try {
    await waitFor(() => served > 20, "the callers to get going");
    for (let round = 0; round < 2; round++) {
      // Added.
      editConfig(`files:\n  docs:\n    base: ${join(agentDir, "a")}`);
      await waitFor(() => "docs" in offered(), "docs to be offered");
      const firstHash = offered().docs;
      let before = served;
      await waitFor(() => served > before + 20, "requests after the edit");
      // Changed.
      editConfig(`files:\n  docs:\n    base: ${join(agentDir, "b")}`);
      await waitFor(() => offered().docs !== undefined && offered().docs !== firstHash, "docs to change");
      before = served;
      await waitFor(() => served > before + 20, "requests after the edit");
      // Removed.
      editConfig("");
      await waitFor(() => !("docs" in offered()), "docs to be withdrawn");
      before = served;
      await waitFor(() => served > before + 20, "requests after the edit");
    }
  } finally {
    running = false;
    await Promise.all(callers);
  }
  expect(Object.keys(offered())).toEqual(["main"]);
  // Count and first answer, not the whole list: a 503 loop spins fast.
  expect({ failed: failures.length, first: failures[0] }).toEqual({ failed: 0, first: undefined });
  expect(served).toBeGreaterThan(100);
}, 90_000);
