/**
 * Changes made to the store by another process (the admin CLI on the gateway host, later
 * another gateway node) reach the running gateway within a second: its in-memory token and
 * group cache starts over, and live agents are brought in line with their records.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

let stack: Stack;
const dataDir = () => join(stack.dir, "gateway-data");

beforeAll(async () => {
  stack = await startStack({
    profiles: (dir) => `
databases:
  main:
    adapter: sqlite
    path: ${join(dir, "main.db")}
`,
  });
  await stack.addAgent("alpha");
});

afterAll(async () => {
  await stack.stop();
});

function cli(...args: string[]): void {
  const run = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/cli/main.ts"), "gateway", ...args, "--data-dir", dataDir()]);
  expect({ args, exit: run.exitCode, stderr: run.stderr.toString() }).toEqual({ args, exit: 0, stderr: "" });
}

const query = (token?: string) =>
  stack.call(`/v1/groups/sales/db/main/query`, { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }), token });

describe("store changes from another process", () => {
  test("a token revoked with the CLI is refused within 1 s", async () => {
    const { token, secret } = await stack.admin.createToken({ name: "short-lived", groups: ["sales"] });
    const ok = await query(secret);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    cli("token", "revoke", token.id);
    await waitFor(async () => {
      const response = await query(secret);
      await response.arrayBuffer();
      return response.status === 401;
    }, "the revoked token to be refused", 1000);
  });

  test("an agent disabled with the CLI stops taking requests within 1 s", async () => {
    const live = () => stack.gateway.registry.all().find((agent) => agent.agentName === "alpha");
    expect(live()?.enabled).toBe(true);
    cli("agent", "disable", "sales", "alpha");
    await waitFor(() => live() === undefined || live()!.enabled === false, "alpha to be disabled at the gateway", 1000);
    const refused = await query();
    expect(refused.status).toBe(503);
    await refused.arrayBuffer();
  });
});
