/** The admin client against a real gateway: groups, agents and tokens, and what scoped tokens may do. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { OutpostConflictError, OutpostPermissionError, type OutpostClient } from "../../src/client/index.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { clientFor } from "./support.ts";

let stack: Stack;
let admin: OutpostClient;

beforeAll(async () => {
  stack = await startStack();
  await stack.addAgent("alpha");
  admin = clientFor(stack, { token: stack.adminToken });
});

afterAll(async () => {
  await stack.stop();
});

test("create a group, change its settings, list and show it", async () => {
  const group = await admin.admin.groups.create("paris", { allowedCidrs: ["127.0.0.0/8"] });
  expect(group).toMatchObject({ name: "paris", status: "inactive", agentCount: 0, settings: { allowedCidrs: ["127.0.0.0/8"] } });
  expect((await admin.admin.groups.update("paris", { alertWebhooks: ["https://hooks.example.com/x"] })).settings).toMatchObject({
    allowedCidrs: ["127.0.0.0/8"],
    alertWebhooks: ["https://hooks.example.com/x"],
  });
  expect((await admin.admin.groups.list()).map((g) => g.name)).toEqual(["paris", "sales"]);
  const shown = await admin.admin.groups.get("sales");
  expect(shown.group.status).toBe("active");
  expect(shown.agents.map((a) => [a.name, a.status])).toEqual([["alpha", "active"]]);
  const duplicate = await admin.admin.groups.create("paris").catch((e: unknown) => e);
  expect(duplicate).toBeInstanceOf(OutpostConflictError);
});

test("a token made by the admin client works for its group only, until revoked", async () => {
  const { token, secret } = await admin.admin.tokens.create({ name: "paris-app", groups: ["paris"] });
  expect(token).toMatchObject({ name: "paris-app", admin: false, groups: ["paris"], revokedAt: null });
  expect(secret).toStartWith("opt_");
  const caller = clientFor(stack, { token: secret });
  expect((await caller.admin.groups.list()).map((g) => g.name)).toEqual(["paris"]);
  expect(await caller.admin.groups.get("sales").catch((e: unknown) => e)).toBeInstanceOf(OutpostPermissionError);
  expect(await caller.admin.groups.create("nope").catch((e: unknown) => e)).toMatchObject({ status: 403, code: "FORBIDDEN" });

  expect((await admin.admin.tokens.list()).map((t) => t.name)).toContain("paris-app");
  expect((await admin.admin.tokens.revoke("paris-app")).revokedAt).toBeTruthy();
  expect(await caller.admin.groups.list().catch((e: unknown) => e)).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
});

test("agents: add with a code, disable, enable, new code, remove; then delete the group", async () => {
  const added = await admin.admin.agents.add("paris", "db01");
  expect(added.agent).toMatchObject({ name: "db01", group: "paris", status: "awaiting_setup" });
  expect(added.activationCode).toStartWith("opa_");
  expect(added.command).toContain(added.activationCode);
  expect((await admin.admin.agents.list("paris")).map((a) => a.name)).toEqual(["db01"]);
  expect((await admin.admin.agents.get("paris", "db01")).status).toBe("awaiting_setup");
  expect(await admin.admin.agents.enable("paris", "db01").catch((e: unknown) => e)).toBeInstanceOf(OutpostConflictError);
  expect((await admin.admin.agents.disable("sales", "alpha")).status).toBe("disabled");
  expect((await admin.admin.agents.enable("sales", "alpha")).status).not.toBe("disabled");
  const code = await admin.admin.agents.activationCode("paris", "db01");
  expect(code.activationCode).not.toBe(added.activationCode);

  expect(await admin.admin.groups.delete("paris").catch((e: unknown) => e)).toMatchObject({ status: 409 });
  expect(await admin.admin.agents.remove("paris", "db01")).toMatchObject({ group: "paris", agent: "db01" });
  expect(await admin.admin.groups.delete("paris")).toEqual({ group: "paris", agentsRemoved: 0 });
});
