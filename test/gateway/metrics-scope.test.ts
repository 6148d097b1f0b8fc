/** `/metrics` shows a token scoped to some groups only those groups' series. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await stack.admin.createGroup("ops");
  await stack.addAgent("alpha");
});
afterAll(() => stack.stop());

test("a scoped token reads only its groups' series; an admin token reads all", async () => {
  // A request on each group leaves a series labelled with it (no agent serves ops: 503).
  for (const group of ["sales", "ops"]) {
    await stack.call(`/v1/groups/${group}/files/none/x`, { token: stack.adminToken });
  }
  const scoped = await (await stack.call("/metrics")).text();
  const all = await (await stack.call("/metrics", { token: stack.adminToken })).text();
  expect(all).toContain(`outpost_requests_total{group="ops"`);
  expect(all).toContain(`outpost_requests_total{group="sales"`);
  expect(scoped).toContain(`outpost_requests_total{group="sales"`);
  expect(scoped).not.toContain(`group="ops"`);
  expect(scoped).toContain("outpost_requests_in_flight");
});
