/**
 * The console's event stream over a real TLS gateway: tickets are admin-only, single use
 * and short-lived; the stream reports an agent connecting and an admin change. And the
 * request history's buckets, rates and error share with an injected clock.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RequestHistory } from "../../src/gateway/console/request-history.ts";
import { EventHub } from "../../src/gateway/events.ts";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

async function ticket(token = stack.adminToken): Promise<Response> {
  return stack.call("/v1/admin/events/ticket", { method: "POST", token });
}

describe("GET /v1/admin/events", () => {
  test("a ticket takes an admin token and opens one stream only", async () => {
    expect((await ticket(stack.token)).status).toBe(403);
    const { ticket: value } = (await (await ticket()).json()) as { ticket: string };
    const url = `https://localhost:${stack.gateway.port}/v1/admin/events?ticket=${value}`;
    const abort = new AbortController();
    const first = await fetch(url, { tls: { ca: stack.ca.certPem }, signal: abort.signal });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toStartWith("text/event-stream");
    const again = await fetch(url, { tls: { ca: stack.ca.certPem } });
    expect(again.status).toBe(401);
    expect(await again.text()).not.toContain(value);

    const reader = first.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const until = async (text: string) => {
      while (!seen.includes(text)) seen += (await reader.read()).value ?? "";
    };
    await until("event: hello");
    await stack.addAgent("alpha");
    await until(`"change":"connected"`);
    expect(seen).toContain(`"agent":"alpha"`);
    await stack.call("/v1/groups/sales", { method: "PATCH", token: stack.adminToken, body: JSON.stringify({ settings: { allowedCidrs: [] } }) });
    await until(`"method":"PATCH","path":"/v1/groups/sales"`);
    abort.abort();
  });

  test("an open stream closes when its token is revoked", async () => {
    const created = await stack.admin.createToken({ name: "console-admin", admin: true });
    const response = await ticket(created.secret);
    const { ticket: value } = (await response.json()) as { ticket: string };
    const stream = await fetch(`https://localhost:${stack.gateway.port}/v1/admin/events?ticket=${value}`, { tls: { ca: stack.ca.certPem } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain("event: hello");
    const revoke = await stack.call(`/v1/admin/tokens/${created.token.id}`, { method: "DELETE", token: stack.adminToken });
    expect(revoke.status).toBe(200);
    // The stream ends (done), rather than staying open until the next reconnect.
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
    }
  }, 20_000);

  test("an expired ticket is refused", () => {
    let now = 1_000_000;
    const hub = new EventHub({ ticketTtlMs: 30_000, now: () => now });
    const { ticket: value } = hub.issueTicket("tok-1");
    now += 30_001;
    expect(() => hub.open(value, new AbortController().signal)).toThrow(/unknown, used or expired/);
    hub.close();
  });
});

describe("RequestHistory", () => {
  test("counts requests per bucket, errors apart from caller mistakes, over the last hour", () => {
    let now = 10 * 3_600_000;
    const history = new RequestHistory({ bucketMs: 10_000, now: () => now });
    history.record("sales", "ok", 0.010);
    history.record("sales", "ok", 0.030);
    history.record("sales", "client_error", 0.001);
    history.record("sales", "agent_error", 0.002);
    history.record("other", "ok", 1);
    expect(history.summary("sales")).toEqual({ requestsPerMinute: 4, errorRate: 0.25 });
    const series = history.series("sales");
    expect(series).toHaveLength(360);
    expect(series.at(-1)).toEqual({ at: now, requests: 4, errors: 1, meanLatencyMs: 10.75, maxLatencyMs: 30 });

    now += 61_000;
    expect(history.summary("sales")).toEqual({ requestsPerMinute: 0, errorRate: 0 });
    expect(history.series("sales").filter((point) => point.requests > 0)).toHaveLength(1);
    now += 3_600_000;
    history.record("sales", "ok", 0.005);
    expect(history.series("sales").reduce((sum, point) => sum + point.requests, 0)).toBe(1);
  });
});
