/**
 * @module
 * `outpost upgrade` of a real compiled binary through a real corporate proxy (tinyproxy with
 * Basic auth). The release is served over HTTPS by a private CA under a host name that only
 * the proxy can resolve (see `hosts` in test/proxy/support/tinyproxy.ts), so an upgrade that
 * bypassed the proxy could not even look the host up; the proxy's log shows the CONNECTs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { startTinyproxy, type Tinyproxy } from "../proxy/support/tinyproxy.ts";
import { buildBinary, cleanEnv, makeKey, makeRelease, run, serveStatic, tempDir } from "./release-fixture.ts";

const RELEASE_HOST = "releases.outpost.test";
const USER = "svc-outpost";
const PASSWORD = "pr0xy-S3cret";

let work: string;
let v1: string;
let caPath: string;
let server: { url: string; stop: () => void };
let proxy: Tinyproxy;
let counter = 0;

beforeAll(async () => {
  work = tempDir("outpost-upgrade-proxy-");
  const key = await makeKey(work);
  [v1] = await Promise.all([buildBinary(join(work, "v1"), "1.0.0", key.publicKey), buildBinary(join(work, "v2"), "2.0.0", key.publicKey)]);
  await makeRelease({ out: join(work, "site"), version: "2.0.0", keyFile: key.file, binaries: join(work, "v2") });
  const ca = createTestCa("Corp Releases CA");
  caPath = ca.certPath;
  const leaf = ca.issue("releases", { dns: [RELEASE_HOST], ips: [] });
  server = serveStatic(join(work, "site"), { tls: { cert: leaf.certPem, key: leaf.keyPem, host: RELEASE_HOST } });
  proxy = await startTinyproxy({ username: USER, password: PASSWORD, connectPorts: [Number(new URL(server.url).port)], hosts: { [RELEASE_HOST]: "127.0.0.1" } });
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const target = () => new URL(server.url).host;
const sha256 = (path: string) => new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");

/** A fresh folder holding v1 as `outpost` and a config.yml (trusting the release CA as `gateway.ca`, plus `extra`). */
function install(extra = ""): { binary: string; config: string } {
  const dir = join(work, `bin-${++counter}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(v1, join(dir, "outpost"));
  copyFileSync(caPath, join(dir, "ca.pem"));
  writeFileSync(join(dir, "config.yml"), `gateway:\n  url: wss://gateway.outpost.test\n  ca: ca.pem\n${extra}`);
  return { binary: join(dir, "outpost"), config: join(dir, "config.yml") };
}

const upgrade = (binary: string, config: string, env: Record<string, string>) =>
  run([binary, "upgrade", "--yes", "--base-url", server.url, "--config", config], { cwd: work, env: cleanEnv(env) });

async function expectUpgraded(binary: string, result: { code: number; stdout: string; stderr: string }) {
  expect(result.stderr).toContain("downloading outpost-linux-x64.tar.gz: 100%");
  expect(result.stdout).toContain("from 1.0.0 to 2.0.0");
  expect(result.code).toBe(75);
  expect((await run([binary, "--version"])).stdout.trim()).toBe("2.0.0");
}

describe("outpost upgrade through a proxy", () => {
  test("the premise: the release host cannot be reached directly (NO_PROXY naming it bypasses the proxy and fails)", async () => {
    const { binary, config } = install();
    const result = await upgrade(binary, config, { HTTPS_PROXY: proxy.url(), NO_PROXY: RELEASE_HOST });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`outpost: cannot fetch ${server.url}/latest.json: getaddrinfo ENOTFOUND ${RELEASE_HOST}`);
  }, 60_000);

  test("HTTPS_PROXY with Basic auth: the upgrade goes through the proxy and the new version runs", async () => {
    const { binary, config } = install();
    const before = proxy.connects(target());
    await expectUpgraded(binary, await upgrade(binary, config, { HTTPS_PROXY: proxy.url() }));
    expect(proxy.connects(target())).toBeGreaterThan(before);
  }, 60_000);

  test("config.yml's proxy: section (password from the environment) wins over HTTPS_PROXY", async () => {
    const dead = `http://${USER}:${PASSWORD}@127.0.0.1:${await freePort()}`;
    const section = `proxy:\n  host: 127.0.0.1\n  port: ${proxy.port}\n  username: ${USER}\n  password: \${env:PROXY_PASSWORD}\n`;
    const { binary, config } = install(section);
    const before = proxy.connects(target());
    await expectUpgraded(binary, await upgrade(binary, config, { PROXY_PASSWORD: PASSWORD, HTTPS_PROXY: dead }));
    expect(proxy.connects(target())).toBeGreaterThan(before);
  }, 60_000);

  const wrong = "Wr0ng-pa55word";
  const wrongPassword: { where: string; section: () => string; env: () => Record<string, string> }[] = [
    { where: "in HTTPS_PROXY", section: () => "", env: () => ({ HTTPS_PROXY: proxy.url(USER, wrong) }) },
    { where: "in config.yml", section: () => `proxy:\n  url: http://127.0.0.1:${proxy.port}\n  username: ${USER}\n  password: ${wrong}\n`, env: () => ({}) },
  ];
  for (const { where, section, env } of wrongPassword) {
    test(`a wrong proxy password ${where}: one line naming the proxy, no password, v1 unchanged`, async () => {
      const { binary, config } = install(section());
      const before = { sha: sha256(binary), connects: proxy.connects(target()) };
      const result = await upgrade(binary, config, env());
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n").filter(Boolean)).toEqual([
        `outpost: cannot fetch ${server.url}/latest.json through proxy 127.0.0.1:${proxy.port}: Proxy refused to open a tunnel: 401 Unauthorized; ` +
          "check the proxy username and password (config proxy: section or HTTPS_PROXY)",
      ]);
      expect(result.stderr).not.toContain(wrong);
      expect(proxy.connects(target())).toBeGreaterThan(before.connects);
      expect(sha256(binary)).toBe(before.sha);
      expect((await run([binary, "--version"])).stdout.trim()).toBe("1.0.0");
      expect(readdirSync(join(binary, "..")).sort()).toEqual(["ca.pem", "config.yml", "outpost"]);
    }, 60_000);
  }
});
