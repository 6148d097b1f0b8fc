/** @module Loads the documented example extension (docs/examples/hello-extension.ts) and a few broken modules. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createCallContext } from "../../../src/connectors/context.ts";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { createExtensionConnector } from "../../../src/connectors/extensions/extension-connector.ts";
import { createLogger, silentLogger } from "../../../src/log/logger.ts";
import { failure } from "../../support/failure.ts";

const example = resolve(import.meta.dir, "../../../docs/examples/hello-extension.ts");
const dir = mkdtempSync(join(tmpdir(), "outpost-ext-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = () => createCallContext({ timeoutMs: 30_000, requestId: "req-1" });
const deps = { name: "hello", log: silentLogger };

describe("extensions", () => {
  test("the documented example answers with its config", async () => {
    const ext = createExtensionConnector({ module: example, config: { greeting: "Hej" } }, deps);
    await ext.init();
    const greet = await ext.handle(new Request("http://extension/greet?name=Ada"), ctx());
    expect(await greet.json()).toMatchObject({ message: "Hej, Ada!", requestId: "req-1" });
    const echo = await ext.handle(new Request("http://extension/echo", { method: "POST", body: "streamed" }), ctx());
    expect(await echo.text()).toBe("streamed");
    expect((await ext.handle(new Request("http://extension/other"), ctx())).status).toBe(404);
    await ext.close();
  });

  test("init failures and bad modules are reported, not crashes", async () => {
    const noGreeting = createExtensionConnector({ module: example, config: {} }, deps);
    await expect(noGreeting.init()).rejects.toThrow("greeting");
    const notAnExtension = join(dir, "bad.ts");
    writeFileSync(notAnExtension, "export default { hello: 1 };");
    expect((await failure(createExtensionConnector({ module: notAnExtension }, deps).init())).code).toBe("UNAVAILABLE");
    expect((await failure(createExtensionConnector({ module: join(dir, "missing.ts") }, deps).init())).code).toBe("UNAVAILABLE");
  });

  test("a handler that throws becomes INTERNAL", async () => {
    const thrower = join(dir, "thrower.ts");
    writeFileSync(thrower, "export default { fetch() { throw new Error('db password is hunter2'); } };");
    const ext = createExtensionConnector({ module: thrower }, deps);
    await ext.init();
    const error = await failure(ext.handle(new Request("http://extension/"), ctx()));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).not.toContain("hunter2");
  });

  test("the extension's own error text reaches the agent's log, as docs/extensions.md says", async () => {
    const lines: string[] = [];
    const log = createLogger("extension", { level: "info", format: "json", sinks: [{ write: (line: string) => void lines.push(line) }] });
    const thrower = join(dir, "thrower-logged.ts");
    writeFileSync(thrower, "export default { fetch() { throw new Error('upstream said no'); } };");
    const ext = createExtensionConnector({ module: thrower }, { name: "hello", log });
    await ext.init();
    await failure(ext.handle(new Request("http://extension/"), ctx()));
    expect(lines.some((line) => line.includes("extension failed") && line.includes("upstream said no") && line.includes("req-1"))).toBe(true);
  });
});
