/**
 * @module
 * The one line `get` throws when a release fetch through a proxy fails: it names the proxy
 * by host and port, never its password, and says what to check. A real tinyproxy in front
 * of a loopback HTTPS host.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { proxyHost } from "../../src/config/proxy.ts";
import { get } from "../../src/upgrade/http.ts";
import { createTestCa } from "../support/certs.ts";
import { freePort } from "../support/ports.ts";
import { startTinyproxy, type Tinyproxy } from "../proxy/support/tinyproxy.ts";

const PASSWORD = "pr0xy-S3cret";
let server: ReturnType<typeof Bun.serve>;
let caPath: string;
let proxy: Tinyproxy;

beforeAll(async () => {
  const ca = createTestCa();
  caPath = ca.certPath;
  const leaf = ca.issue("releases");
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, tls: { cert: leaf.certPem, key: leaf.keyPem }, fetch: () => new Response('{"version":"2.0.0"}') });
  proxy = await startTinyproxy({ username: "agent", password: PASSWORD, connectPorts: [server.port!] });
});

afterAll(async () => {
  await proxy?.stop();
  server?.stop(true);
});

const url = () => `https://localhost:${server.port}/latest.json`;
const failure = (proxyUrl: string, target = url()) =>
  get(target, { caPath, proxy: { url: proxyUrl } }).then(() => { throw new Error("expected a failure"); }, (error: Error & { code: string }) => error);

describe("get through a proxy", () => {
  test("the right password fetches the file through the proxy", async () => {
    const before = proxy.connects(`localhost:${server.port}`);
    expect(await (await get(url(), { caPath, proxy: { url: proxy.url() } })).text()).toBe('{"version":"2.0.0"}');
    expect(proxy.connects(`localhost:${server.port}`)).toBe(before + 1);
  });

  test("a wrong password: names the proxy, says to check the credentials, never shows the password", async () => {
    const error = await failure(proxy.url("agent", "Wr0ng-pa55"));
    expect(error.code).toBe("DOWNLOAD_FAILED");
    expect(error.message).toBe(`cannot fetch ${url()} through proxy 127.0.0.1:${proxy.port}: Proxy refused to open a tunnel: 401 Unauthorized; check the proxy username and password (config proxy: section or HTTPS_PROXY)`);
  });

  test("a port the proxy does not tunnel to: names the proxy and says it refuses that tunnel", async () => {
    const error = await failure(proxy.url(), `https://localhost:${await freePort()}/latest.json`);
    expect(error.message).toContain(`through proxy 127.0.0.1:${proxy.port}: Proxy refused to open a tunnel: 403`);
    expect(error.message).toContain("the proxy does not allow a tunnel to that host and port");
    expect(error.message).not.toContain(PASSWORD);
  });

  test("a proxy that is not listening: names it, without the password", async () => {
    const error = await failure(`http://agent:${PASSWORD}@127.0.0.1:${await freePort()}`);
    expect(error.code).toBe("DOWNLOAD_FAILED");
    expect(error.message).toStartWith(`cannot fetch ${url()} through proxy 127.0.0.1:`);
    expect(error.message).not.toContain(PASSWORD);
  });

  test("without a proxy the line stays as it was", async () => {
    const error = await get(`https://localhost:${await freePort()}/latest.json`, { caPath, proxy: { no_proxy: ["*"] } }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^cannot fetch https:\/\/localhost:\d+\/latest.json: (?!.*through proxy)/);
  });
});

test("proxyHost keeps host and port only", () => {
  expect(proxyHost(`http://agent:${PASSWORD}@proxy.corp:3128`)).toBe("proxy.corp:3128");
  expect(proxyHost("not a url")).toBe("(unparsable proxy URL)");
});
