import { describe, expect, test } from "bun:test";
import { proxyFor } from "../../src/config/proxy.ts";

describe("proxyFor", () => {
  test("config section wins over the environment and carries credentials", () => {
    const url = proxyFor("wss://gw.example.com", { host: "proxy.corp", port: 8080, username: "me", password: "p@ss:word" }, { HTTPS_PROXY: "http://other:1" });
    expect(url).toBe("http://me:p%40ss%3Aword@proxy.corp:8080");
  });

  test("falls back to HTTPS_PROXY and honours NO_PROXY with subdomains", () => {
    const env = { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "internal.corp, localhost" };
    expect(proxyFor("wss://gw.example.com", undefined, env)).toBe("http://proxy:3128");
    expect(proxyFor("wss://a.internal.corp:443", undefined, env)).toBeUndefined();
    expect(proxyFor("wss://localhost:8443", undefined, env)).toBeUndefined();
    expect(proxyFor("wss://notinternal.corp", undefined, env)).toBe("http://proxy:3128");
  });

  test("no proxy anywhere means a direct connection; `*` bypasses everything", () => {
    expect(proxyFor("wss://gw.example.com", undefined, {})).toBeUndefined();
    expect(proxyFor("wss://gw.example.com", { url: "http://p:1", no_proxy: ["*"] }, {})).toBeUndefined();
  });
});
