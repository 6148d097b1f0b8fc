/**
 * @module
 * `gateway.ca` has one meaning for every outbound connection the agent makes with it —
 * activation, the tunnel, and upgrades: its CAs are the only ones trusted, in place of
 * the system store. The "system store" here is a test CA handed to a child process with
 * NODE_EXTRA_CA_CERTS (a CA that process trusts by default): without gateway.ca each path
 * reaches a host it signed; with gateway.ca naming another CA each path refuses it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rootCertificates } from "node:tls";
import { join } from "node:path";
import { REPO } from "../support/binary.ts";
import { createTestCa, type TestCa } from "../support/certs.ts";
import { releaseTls } from "../../src/upgrade/http.ts";

let system: TestCa;
let other: TestCa;
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  system = createTestCa("Stand-in System CA");
  other = createTestCa("Gateway CA");
  const leaf = system.issue("localhost");
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: leaf.certPem, key: leaf.keyPem },
    fetch: (request, srv) => (srv.upgrade(request, { data: undefined }) ? undefined : new Response("{}")),
    websocket: { message() {}, open() {} },
  });
});

afterAll(() => server?.stop(true));

/** Each path's outcome in a child that trusts `system` by default; `caPath` plays gateway.ca. */
async function outcomes(caPath?: string): Promise<Record<string, string>> {
  const script = `
    import { readFileSync } from "node:fs";
    import { get } from ${JSON.stringify(join(REPO, "src/upgrade/http.ts"))};
    import { connectWebSocket } from ${JSON.stringify(join(REPO, "src/tunnel/websocket-client.ts"))};
    const caPath = process.env.CA_PATH || undefined;
    const ca = caPath ? readFileSync(caPath, "utf8") : undefined;
    const base = "localhost:${server.port}";
    const out = {};
    const attempt = async (name, fn) => { try { await fn(); out[name] = "ok"; } catch { out[name] = "refused"; } };
    // Activation: what src/agent/activate.ts passes to fetch.
    await attempt("activation", () => fetch("https://" + base + "/v1/activate", { method: "POST", tls: { ca, rejectUnauthorized: true }, proxy: undefined }));
    await attempt("tunnel", async () => (await connectWebSocket("wss://" + base + "/", { ca })).close?.());
    await attempt("upgrade", () => get("https://" + base + "/latest.json", { caPath, proxy: { no_proxy: ["*"] } }));
    console.log(JSON.stringify(out));
    process.exit(0);
  `;
  const child = Bun.spawn([process.execPath, "-e", script], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: system.certPath, CA_PATH: caPath ?? "", HTTPS_PROXY: "", https_proxy: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (!stdout.trim()) throw new Error(stderr);
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

test("without gateway.ca, activation, tunnel and upgrade trust the system store", async () => {
  expect(await outcomes()).toEqual({ activation: "ok", tunnel: "ok", upgrade: "ok" });
}, 30_000);

test("with gateway.ca, all three trust only it: a host the system store trusts is refused", async () => {
  expect(await outcomes(other.certPath)).toEqual({ activation: "refused", tunnel: "refused", upgrade: "refused" });
}, 30_000);

test("the upgrade's TLS settings hold gateway.ca's CAs alone, not the public roots beside them", () => {
  const tls = releaseTls(other.certPath)!;
  expect(tls.ca).toEqual([other.certPem]);
  expect(tls.ca.some((pem) => rootCertificates.includes(pem))).toBe(false);
  expect(releaseTls(undefined)).toBeUndefined();
});

test("a refused release host names gateway.ca and the way out", async () => {
  const { performUpgrade } = await import("../../src/upgrade/perform.ts");
  const failure = performUpgrade({ currentVersion: "1.0.0", baseUrl: `https://localhost:${server.port}`, check: true, target: "linux-x64", keys: [], proxy: { no_proxy: ["*"] }, caPath: other.certPath });
  await expect(failure).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining(`gateway.ca (${other.certPath}) is the only CA trusted, as for the tunnel`) });
});
