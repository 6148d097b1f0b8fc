/**
 * Traceability through a real stack: every request leaves one access line at the gateway
 * (component `access`) with the request id the caller got in `x-request-id`, the agent that
 * answered (failures included, which also carry `x-outpost-agent`), and the bytes actually
 * sent; admin changes leave an `audit` line naming the actor; the group's recent requests
 * can be filtered by agent and status through the API; and the agent's own log has a line
 * for the same request id, so an operator can walk from the caller's id to the agent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newApiToken } from "../../src/gateway/auth/secrets.ts";
import { createLogger, type LogSink } from "../../src/log/logger.ts";
import { startStack, waitFor, type Stack } from "../support/stack.ts";

type Line = Record<string, unknown> & { component: string; msg: string; requestId?: string };
const lines: Line[] = [];
const raw: string[] = [];
const capture: LogSink = {
  write(line) {
    raw.push(line);
    lines.push(JSON.parse(line) as Line);
  },
};
const DOWNLOAD = 300 * 1024;
/** Larger than the tunnel window and socket buffers: a stalled reader leaves most of it on the agent. */
const HUGE = 16 * 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    log: createLogger("test", { level: "info", format: "json", sinks: [capture] }),
    profiles: (dir) => {
      mkdirSync(join(dir, "share"), { recursive: true });
      writeFileSync(join(dir, "share", "big.bin"), Buffer.alloc(DOWNLOAD, 7));
      writeFileSync(join(dir, "share", "huge.bin"), Buffer.alloc(HUGE, 7));
      return `databases:
  main:
    adapter: sqlite
    path: ${join(dir, "main.db")}
files:
  share:
    base: ${join(dir, "share")}
http:
  down:
    base_url: http://127.0.0.1:1/
scripts:
  tools:
    commands:
      slow:
        argv: ["/bin/sleep", "5"]
`;
    },
  });
  await stack.addAgent("alpha");
});

afterAll(() => stack.stop());

/** The access line of `requestId`, once written (a streamed body's line comes at its end). */
async function accessLine(requestId: string): Promise<Line> {
  await waitFor(() => lines.some((line) => line.component === "access" && line.requestId === requestId), `access line of ${requestId}`);
  const found = lines.filter((line) => line.component === "access" && line.requestId === requestId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("the access line", () => {
  test("a 400 from the agent names it, with the request id the caller got; the agent logged the same id", async () => {
    const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select * from no_such_table" }) });
    expect(response.status).toBe(400);
    const requestId = response.headers.get("x-request-id")!;
    expect(((await response.json()) as { error: { requestId: string } }).error.requestId).toBe(requestId);
    expect(response.headers.get("x-outpost-agent")).toBe("alpha");
    const line = await accessLine(requestId);
    expect(line).toMatchObject({ level: "info", msg: "request", method: "POST", op: "db.query", group: "sales", profile: "main", caller: "caller", agent: "alpha", status: 400, code: "QUERY_FAILED" });
    expect(line.bytesIn).toBeGreaterThan(0);
    expect(line.bytesOut).toBeGreaterThan(0);
    expect(typeof line.ms).toBe("number");
    // The chain an operator follows: the agent named there logged the same request id.
    const agentLine = lines.find((l) => l.component === "agent" && l.requestId === requestId && l.msg === "request failed");
    expect(agentLine).toMatchObject({ agentName: "alpha", msg: "request failed", code: "QUERY_FAILED" });
  });

  test("a 502 from an agent that cannot reach its target names the agent", async () => {
    const response = await stack.call("/v1/groups/sales/http/down/anything");
    expect(response.status).toBe(502);
    expect(response.headers.get("x-outpost-agent")).toBe("alpha");
    const line = await accessLine(response.headers.get("x-request-id")!);
    expect(line).toMatchObject({ op: "http.forward", agent: "alpha", status: 502 });
  });

  test("a 504 when the agent gives up at the deadline names the agent", async () => {
    const response = await stack.call("/v1/groups/sales/scripts/tools/slow", { method: "POST", body: JSON.stringify({ timeoutMs: 300 }) });
    expect(response.status).toBe(504);
    expect(response.headers.get("x-outpost-agent")).toBe("alpha");
    const line = await accessLine(response.headers.get("x-request-id")!);
    expect(line).toMatchObject({ op: "scripts.run", agent: "alpha", status: 504, code: "TIMEOUT" });
    await waitFor(() => lines.some((l) => l.component === "agent" && l.requestId === line.requestId && l.msg === "request failed"), "the agent's line");
    expect(lines.find((l) => l.component === "agent" && l.requestId === line.requestId && l.msg === "request failed")).toMatchObject({ agentName: "alpha", code: "TIMEOUT" });
  });

  test("a 401 has a line without the token presented, and no caller", async () => {
    const { secret } = newApiToken();
    const response = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: "{}", token: secret });
    expect(response.status).toBe(401);
    const line = await accessLine(response.headers.get("x-request-id")!);
    expect(line).toMatchObject({ status: 401, code: "UNAUTHENTICATED", group: "sales", profile: "main" });
    expect(line.caller).toBeUndefined();
    expect(line.agent).toBeUndefined();
    expect(raw.some((text) => text.includes(secret))).toBe(false);
    expect(raw.some((text) => text.includes(stack.token))).toBe(false);
  });

  test("the caller's own x-request-id is the one logged", async () => {
    const response = await stack.call("/v1/groups/sales/db/nope/query", { method: "POST", body: "{}", headers: { "x-request-id": "trace-me-42" } });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-request-id")).toBe("trace-me-42");
    expect(await accessLine("trace-me-42")).toMatchObject({ status: 404, code: "NOT_FOUND", profile: "nope" });
  });

  test("a streamed download's line has the bytes sent, written when the body is done", async () => {
    const response = await stack.call("/v1/groups/sales/files/share/big.bin");
    expect(response.status).toBe(200);
    const requestId = response.headers.get("x-request-id")!;
    expect((await response.arrayBuffer()).byteLength).toBe(DOWNLOAD);
    expect(await accessLine(requestId)).toMatchObject({ op: "files.read", agent: "alpha", status: 200, bytesOut: DOWNLOAD });
  });

  test("a download the caller abandons gets its line, with what was sent before", async () => {
    const controller = new AbortController();
    const response = await stack.call("/v1/groups/sales/files/share/huge.bin", { signal: controller.signal });
    const requestId = response.headers.get("x-request-id")!;
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const line = await accessLine(requestId);
    expect(line).toMatchObject({ status: 200, code: "CANCELLED", agent: "alpha" });
    expect(line.bytesOut as number).toBeLessThan(HUGE);
  });

  test("an unknown path and an admin call get a line too; the admin route is the op", async () => {
    const missing = await stack.call("/v1/nothing-here");
    expect(await accessLine(missing.headers.get("x-request-id")!)).toMatchObject({ status: 404, op: "GET /v1/nothing-here" });
    const listed = await stack.call("/v1/groups/sales/agents");
    expect(await accessLine(listed.headers.get("x-request-id")!)).toMatchObject({ status: 200, op: "GET /v1/groups/:group/agents", caller: "caller" });
  });
});

describe("admin actions", () => {
  test("creating and revoking a token are audited with the actor; the new secret is in no line", async () => {
    const created = await stack.call("/v1/admin/tokens", { method: "POST", token: stack.adminToken, body: JSON.stringify({ name: "reporting", groups: ["sales"] }) });
    expect(created.status).toBe(201);
    const { secret, token } = (await created.json()) as { secret: string; token: { id: string } };
    const requestId = created.headers.get("x-request-id")!;
    const audit = lines.find((line) => line.component === "audit" && line.requestId === requestId);
    expect(audit).toMatchObject({ msg: "API token created", actor: "root", name: "reporting", id: token.id, groups: ["sales"], remoteIp: "127.0.0.1" });
    expect(typeof audit!.actorId).toBe("string");
    expect(await accessLine(requestId)).toMatchObject({ op: "POST /v1/admin/tokens", caller: "root", status: 201 });
    const revoked = await stack.call(`/v1/admin/tokens/${token.id}`, { method: "DELETE", token: stack.adminToken });
    expect(lines.find((line) => line.component === "audit" && line.requestId === revoked.headers.get("x-request-id"))).toMatchObject({ msg: "API token revoked", actor: "root", id: token.id });
    expect(raw.some((text) => text.includes(secret))).toBe(false);
  });

  test("adding, disabling and removing an agent are audited with the actor", async () => {
    const admin = (path: string, method: string, body?: unknown) =>
      stack.call(path, { method, token: stack.adminToken, body: body === undefined ? undefined : JSON.stringify(body) });
    const audited = (response: Response) => lines.find((line) => line.component === "audit" && line.requestId === response.headers.get("x-request-id"));
    const added = await admin("/v1/groups/sales/agents", "POST", { name: "gamma" });
    expect(added.status).toBe(201);
    const { activationCode } = (await added.json()) as { activationCode: string };
    expect(audited(added)).toMatchObject({ msg: "agent added", actor: "root", group: "sales", agent: "gamma", agentId: expect.any(String) });
    expect(audited(await admin("/v1/groups/sales/agents/gamma/disable", "POST"))).toMatchObject({ msg: "agent disabled", actor: "root", agent: "gamma" });
    expect(audited(await admin("/v1/groups/sales/agents/gamma", "DELETE"))).toMatchObject({ msg: "agent removed", actor: "root", agent: "gamma" });
    expect(raw.some((text) => text.includes(activationCode))).toBe(false);
  });

  test("changed group settings are named, not their values (webhook URLs hold secrets)", async () => {
    const hook = "https://hooks.example.com/services/T000/B000/very-secret-part";
    const response = await stack.call("/v1/groups/sales", { method: "PATCH", token: stack.adminToken, body: JSON.stringify({ settings: { alertWebhooks: [hook] } }) });
    expect(response.status).toBe(200);
    const audit = lines.find((line) => line.component === "audit" && line.requestId === response.headers.get("x-request-id"));
    expect(audit).toMatchObject({ msg: "group settings changed", actor: "root", group: "sales", settings: ["alertWebhooks"] });
    expect(raw.some((text) => text.includes("very-secret-part"))).toBe(false);
  });
});

describe("the group's recent requests", () => {
  type Listed = { requests: { requestId: string; agent: string | null; status: number; op: string; caller: string | null; at: string }[] };

  test("filter by agent and status through the API", async () => {
    await stack.addAgent("beta");
    const fail = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select * from missing_too" }) });
    const failedOn = fail.headers.get("x-outpost-agent")!;
    const failId = fail.headers.get("x-request-id")!;
    await accessLine(failId);
    const served = new Set<string>();
    for (let i = 0; i < 20 && served.size < 2; i++) {
      const ok = await stack.call("/v1/groups/sales/db/main/query", { method: "POST", body: JSON.stringify({ sql: "select 1 as one" }) });
      served.add(ok.headers.get("x-outpost-agent")!);
      await ok.arrayBuffer();
    }
    expect(served).toEqual(new Set(["alpha", "beta"]));

    const byStatus = (await (await stack.call("/v1/groups/sales/requests?status=400")).json()) as Listed;
    expect(byStatus.requests.length).toBeGreaterThan(0);
    expect(byStatus.requests.every((r) => r.status === 400)).toBe(true);
    expect(byStatus.requests[0]).toMatchObject({ requestId: failId, agent: failedOn, op: "db.query", caller: "caller" });
    expect(Date.parse(byStatus.requests[0]!.at)).toBeGreaterThan(0);

    const beta = (await (await stack.call("/v1/groups/sales/requests?agent=beta&status=2xx&limit=5")).json()) as Listed;
    expect(beta.requests.length).toBeGreaterThan(0);
    expect(beta.requests.length).toBeLessThanOrEqual(5);
    expect(beta.requests.every((r) => r.agent === "beta" && r.status >= 200 && r.status < 300)).toBe(true);

    const fiveHundreds = (await (await stack.call("/v1/groups/sales/requests?status=5xx")).json()) as Listed;
    expect(fiveHundreds.requests.map((r) => r.status).sort()).toEqual([502, 504]);
  });

  test("a bad filter is a 400 naming the parameter", async () => {
    const response = await stack.call("/v1/groups/sales/requests?status=oops");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe("status");
    const limit = await stack.call("/v1/groups/sales/requests?limit=0");
    expect(((await limit.json()) as { error: { field: string } }).error.field).toBe("limit");
  });

  test("a token for another group may not read them", async () => {
    const other = await stack.admin.createGroup("other");
    const { secret } = await stack.admin.createToken({ name: "other-caller", groups: [other.name] });
    const response = await stack.call("/v1/groups/sales/requests", { token: secret });
    expect(response.status).toBe(403);
  });
});

describe("an answer cut mid-body", () => {
  test("its line names the agent, keeps the status sent, and says why and how much went out", async () => {
    const response = await stack.call("/v1/groups/sales/files/share/huge.bin");
    expect(response.status).toBe(200);
    const agent = response.headers.get("x-outpost-agent")!;
    const reader = response.body!.getReader();
    await reader.read();
    // The agent's connection dies while the body is under way.
    stack.gateway.registry.all().find((live) => live.agentName === agent)!.session.close();
    let received = 0;
    await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
    })().catch(() => {});
    const line = await accessLine(response.headers.get("x-request-id")!);
    expect(line).toMatchObject({ status: 200, agent });
    expect(line.code).toBeString();
    expect(line.code).not.toBe("CANCELLED");
    expect(line.bytesOut as number).toBeLessThan(HUGE);
    expect(lines.some((l) => l.component === "gateway" && l.msg.startsWith("answer cut short") && l.agent === agent)).toBe(true);
  });
});
