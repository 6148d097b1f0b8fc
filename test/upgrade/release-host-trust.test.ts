/**
 * @module
 * performUpgrade against an HTTPS release host signed by a private CA: refused without the
 * CA (one line naming the URL), accepted with it (`caPath`, what the CLI passes from config's
 * `gateway.ca`). `check: true` keeps the test to the manifest: nothing is downloaded.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { generateIdentity, sign } from "../../src/crypto/identity.ts";
import { performUpgrade } from "../../src/upgrade/perform.ts";
import { createTestCa } from "../support/certs.ts";

let server: ReturnType<typeof Bun.serve>;
let caPath: string;
let publicKey: string;

beforeAll(async () => {
  const ca = createTestCa();
  caPath = ca.certPath;
  const leaf = ca.issue("releases");
  const pair = await generateIdentity();
  publicKey = pair.publicKey;
  const manifest = Buffer.from(JSON.stringify({ version: "2.0.0", createdAt: "2026-01-01T00:00:00Z", files: { "linux-x64": { file: "outpost-linux-x64.tar.gz", size: 1, sha256: "0".repeat(64) } } }));
  const signature = Buffer.from(await sign(pair.secretKey, manifest)).toString("base64");
  const files: Record<string, string | Buffer> = { "/latest.json": '{"version":"2.0.0"}', "/2.0.0/manifest.json": manifest, "/2.0.0/manifest.json.sig": signature };
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: leaf.certPem, key: leaf.keyPem },
    fetch: (request) => {
      const body = files[new URL(request.url).pathname];
      return body === undefined ? new Response("not found", { status: 404 }) : new Response(body);
    },
  });
});

afterAll(() => server?.stop(true));

const options = () => ({ currentVersion: "1.0.0", baseUrl: `https://localhost:${server.port}`, check: true, target: "linux-x64", keys: [publicKey], proxy: { no_proxy: ["*"] } });

test("an HTTPS release host signed by an unknown CA is refused", async () => {
  await expect(performUpgrade(options())).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining(`cannot fetch https://localhost:${server.port}/latest.json`) });
});

test("with the CA from config (gateway.ca) the signed manifest is read", async () => {
  const result = await performUpgrade({ ...options(), caPath });
  expect(result).toMatchObject({ status: "available", from: "1.0.0", to: "2.0.0" });
});
