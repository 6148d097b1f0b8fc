/**
 * The agent checks its profiles at start and reports their health in its hello; the
 * gateway's agent view shows a failing profile with its reason, and the agent reports the
 * recovery when the target starts answering (through a make-before-break reconnect).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "ok"));
      return `files:\n  inbox:\n    base: ./later\n  outbox:\n    base: ./ok\n`;
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

interface ProfileEntry {
  name: string;
  health: { status: string; reason?: string };
}

async function profilesOf(agent: string): Promise<ProfileEntry[]> {
  const response = await stack.call(`/v1/groups/sales/agents/${agent}`, { token: stack.adminToken });
  const body = (await response.json()) as { agent: { info: { profiles: ProfileEntry[] } } };
  return body.agent.info.profiles;
}

test("the agent view shows a failing profile, then its recovery", async () => {
  const agent = await stack.addAgent("h1");
  const profiles = await profilesOf("h1");
  expect(profiles.find((p) => p.name === "outbox")?.health).toEqual({ status: "ok" });
  const inbox = profiles.find((p) => p.name === "inbox")!;
  expect(inbox.health.status).toBe("failing");
  expect(inbox.health.reason).toMatch(/^NOT_FOUND: .*later does not exist$/);

  mkdirSync(join(agent.dir, "later"));
  const listed = await stack.call("/v1/groups/sales/files/inbox/");
  expect(listed.status).toBe(200);
  await waitFor(async () => (await profilesOf("h1")).find((p) => p.name === "inbox")?.health.status === "ok", "the recovery to reach the gateway");
}, 60_000);
