/**
 * @module
 * The activation command the gateway prints (`gateway agent add`, the console, the admin
 * API) carries `--ca` exactly when the gateway's certificate is not issued by a public CA:
 * `gateway serve` decides it from its certificate and keeps it in the store, and the
 * admin service builds the command from it.
 */
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminService } from "../../src/gateway/admin/admin-service.ts";
import { openGatewayStore } from "../../src/gateway/store/open-gateway-store.ts";
import { issuedByPublicCa, PRIVATE_CA_SETTING } from "../../src/gateway/tls-issuer.ts";
import { createTestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";

const MAIN = join(import.meta.dir, "../../src/cli/main.ts");

test("a chain ending at a system-store root is public; a private CA's is not", () => {
  const ca = createTestCa();
  const leaf = ca.issue("gateway");
  expect(issuedByPublicCa(leaf.certPem)).toBe(false);
  expect(issuedByPublicCa(leaf.certPem + ca.certPem)).toBe(false);
  expect(issuedByPublicCa(rootCertificates[0]!)).toBe(true);
  expect(issuedByPublicCa("not a certificate")).toBe(false);
});

test("the printed command has --ca when the store says the CA is private, and not otherwise", async () => {
  const store = await openGatewayStore(join(mkdtempSync(join(tmpdir(), "outpost-actcmd-")), "data"));
  try {
    const admin = new AdminService({ store });
    await admin.createGroup("sales");
    const plain = await admin.addAgent("sales", "db01", "wss://gw.example.com:8443");
    expect(plain.command).toBe(`outpost activate ${plain.activationCode} --gateway wss://gw.example.com:8443`);
    await store.setSetting(PRIVATE_CA_SETTING, true);
    const pinned = await admin.addAgent("sales", "db02", "wss://gw.example.com:8443");
    expect(pinned.command).toBe(`outpost activate ${pinned.activationCode} --gateway wss://gw.example.com:8443 --ca gateway-ca.pem`);
  } finally {
    await store.close();
  }
});

test("gateway serve with a privately issued certificate records it for the activation command", async () => {
  const ca = createTestCa();
  const leaf = ca.issue("localhost");
  const dataDir = join(mkdtempSync(join(tmpdir(), "outpost-actserve-")), "data");
  const port = await freePort();
  const child = Bun.spawn([process.execPath, MAIN, "gateway", "serve", "--data-dir", dataDir, "--tls-cert", leaf.certPath, "--tls-key", leaf.keyPath, "--port", String(port)], { stdout: "pipe", stderr: "pipe" });
  try {
    const reader = child.stdout.getReader();
    let out = "";
    while (!out.includes("gateway listening")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`gateway serve exited: ${await new Response(child.stderr).text()}`);
      out += new TextDecoder().decode(value);
    }
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
  const store = await openGatewayStore(dataDir);
  try {
    expect(await store.getSetting(PRIVATE_CA_SETTING)).toBe(true);
  } finally {
    await store.close();
  }
}, 30_000);
