/**
 * `outpost doctor` against real things: a PostgreSQL server, a TLS gateway in this process,
 * files on disk. A config with four mistakes gets four FAIL lines naming each; a good one
 * passes every check; `run` without an identity says to activate.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../support/postgres.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { startTinyproxy } from "../proxy/support/tinyproxy.ts";
import { runCli, tempDir } from "./run-cli.ts";

let pg: TestPostgres;
let stack: Stack;

const database = (password: string) => `
databases:
  orders:
    adapter: postgresql
    host: 127.0.0.1
    port: ${pg.port}
    database: ${pg.database}
    username: ${pg.user}
    password: ${password}
    connect_timeout: 3
`;

beforeAll(async () => {
  pg = await startPostgres();
  stack = await startStack({
    profiles: (dir) => {
      mkdirSync(join(dir, "inbox"));
      // The HTTP target answers 404 (the gateway itself): any HTTP status counts as reachable.
      const http = `http:\n  gw:\n    base_url: https://localhost:${stack.gateway.port}/nothing-here\n    tls: { ca: ${stack.ca.certPath} }\n`;
      const scripts = "scripts:\n  ops:\n    commands:\n      hello: { argv: [sh, -c, 'echo hi'] }\n";
      return `${database(pg.password)}\nfiles:\n  inbox:\n    base: ./inbox\n${http}${scripts}`;
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
});

interface Check {
  kind: string;
  subject: string;
  verdict: string;
  detail: string;
  hint?: string;
}

describe("outpost doctor", () => {
  test("names all four mistakes and exits non-zero", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.yml"), `gateway:\n  url: wss://localhost:${stack.gateway.port}\n  ca: ./missing-ca.pem\n${database("wrong-password")}\nfiles:\n  inbox:\n    base: ./no-such-folder\n`);
    const text = await runCli(["doctor"], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL file gateway\.ca: config\.yml:3:7 .*missing-ca\.pem does not exist$/m);
    expect(text.stdout).toMatch(/^FAIL identity .*identity\.json: not activated/m);
    expect(text.stdout).toMatch(/→ run `outpost activate CODE --gateway wss:\/\/localhost:\d+ --ca .*missing-ca\.pem/);
    expect(text.stdout).toMatch(/^FAIL profile orders \(databases\): AUTH_FAILED: /m);
    expect(text.stdout).toContain("→ check the username and password of profile orders");
    expect(text.stdout).toMatch(/^FAIL file files\.inbox\.base: config\.yml:\d+:\d+ .*no-such-folder does not exist$/m);
    expect(text.stdout).not.toContain("wrong-password");

    const json = await runCli(["doctor", "--json"], { cwd: dir });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => c.verdict === "fail").map((c) => `${c.kind} ${c.subject}`);
    expect(failed).toEqual(expect.arrayContaining(["file gateway.ca", "file files.inbox.base", "profile orders (databases)", "profile inbox (files)"]));
    expect(failed.some((f) => f.startsWith("identity "))).toBe(true);
  }, 60_000);

  test("a good config passes every check against a real gateway", async () => {
    const agent = await stack.addAgent("doc1");
    const result = await runCli(["doctor", "--json", "--config", agent.configPath]);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
    expect(report.checks.filter((c) => c.verdict !== "ok")).toEqual([]);
    expect(report.checks.map((c) => c.kind)).toEqual(expect.arrayContaining(["file", "identity", "profile", "gateway", "clock"]));
    expect(report.checks.filter((c) => c.kind === "profile").map((c) => c.subject).sort()).toEqual(["gw (http)", "inbox (files)", "ops (scripts)", "orders (databases)"]);
    expect(result.code).toBe(0);

    const online = await runCli(["config", "validate", "--online", "--config", agent.configPath]);
    expect(online.stdout).toMatch(/^ok {3}gateway https:\/\/localhost:\d+\/healthz: answered 200/m);
    expect(online.stdout).toMatch(/^0 failed, 0 warning\(s\), \d+ ok$/m);
    expect(online.code).toBe(0);
  }, 60_000);

  test("an untrusted certificate is named, for the gateway and for an HTTP target", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.yml"), `gateway:\n  url: wss://localhost:${stack.gateway.port}\nhttp:\n  app:\n    base_url: https://localhost:${stack.gateway.port}/\n`);
    const result = await runCli(["doctor"], { cwd: dir });
    expect(result.stdout).toMatch(/^FAIL gateway https:\/\/localhost:\d+\/healthz: .*Outpost Test CA.*not trusted/m);
    expect(result.stdout).toMatch(/^FAIL profile app \(http\): UNREACHABLE: TLS failure talking to the backend/m);
    expect(result.code).toBe(1);
  }, 60_000);

  test("the gateway is checked through the configured proxy; a wrong proxy password is named, not shown", async () => {
    const proxy = await startTinyproxy({ username: "agent", password: "s3cret-pw", connectPorts: [stack.gateway.port] });
    try {
      const agent = await stack.addAgent("doc2");
      const base = readFileSync(agent.configPath, "utf8");
      const proxied = join(agent.dir, "proxied.yml");
      const target = `localhost:${stack.gateway.port}`;
      writeFileSync(proxied, `${base}\nproxy:\n  url: ${proxy.url()}\n`);
      const before = proxy.connects(target);
      const good = await runCli(["doctor", "--config", proxied]);
      expect(good.stdout).toMatch(new RegExp(`^ok {3}gateway https://${target}/healthz: answered 200 in \\d+ ms through proxy 127\\.0\\.0\\.1:${proxy.port}$`, "m"));
      expect(proxy.connects(target)).toBeGreaterThan(before);
      expect(good.code).toBe(0);

      writeFileSync(proxied, `${base}\nproxy:\n  url: ${proxy.url("agent", "wrong-pw")}\n`);
      const bad = await runCli(["doctor", "--config", proxied]);
      expect(bad.stdout).toMatch(/^FAIL gateway .*proxy refused: 40[17].*check the proxy username and password/m);
      expect(bad.stdout).not.toContain("wrong-pw");
      expect(bad.code).toBe(1);
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});

describe("outpost run without an identity", () => {
  test("prints one line with the command that activates", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.yml"), "gateway:\n  url: wss://gw.example:8443\n");
    const result = await runCli(["run"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.errLines).toHaveLength(1);
    expect(result.errLines[0]).toMatch(/^outpost: cannot start: .*identity\.json: not activated: .*run `outpost activate CODE --gateway wss:\/\/gw\.example:8443/);
    expect(result.stderr).not.toContain("ENOENT");
  });
});
