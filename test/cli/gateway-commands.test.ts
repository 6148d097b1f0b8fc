import { beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { group } from "../../src/cli/command.ts";
import { gatewayAgentCommand } from "../../src/cli/commands/gateway-agent.ts";
import { gatewayGroupCommand } from "../../src/cli/commands/gateway-group.ts";
import { gatewayTokenCommand } from "../../src/cli/commands/gateway-token.ts";
import { UsageError } from "../../src/cli/errors.ts";
import { OutpostError } from "../../src/client/errors.ts";
import { openGatewayStore } from "../../src/gateway/store/open-gateway-store.ts";

let dataDir: string;

/** Runs `outpost gateway ...` through yargs the way main.ts wires it, capturing stdout. */
async function run(...argv: string[]): Promise<string> {
  let stdout = "";
  await yargs()
    .locale("en")
    .version(false)
    .option("debug", { type: "boolean", default: false, global: true })
    .option("config", { type: "string", default: "./config.yml", global: true })
    .command(group("gateway", "Gateway administration", [gatewayGroupCommand, gatewayAgentCommand, gatewayTokenCommand]) as never)
    .demandCommand(1)
    .strict()
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .parseAsync(["gateway", ...argv, "--data-dir", dataDir], { out: (text: string) => (stdout += text) });
  return stdout;
}

async function refusal(...argv: string[]): Promise<Error> {
  try {
    await run(...argv);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the command to fail");
}

beforeEach(async () => {
  // The admin commands never create a store; `gateway serve` would have made this one.
  dataDir = join(mkdtempSync(join(tmpdir(), "outpost-cli-")), "gateway-data");
  await (await openGatewayStore(dataDir)).close();
});

describe("outpost gateway group", () => {
  test("create, list, set, show, delete", async () => {
    expect(await run("group", "create", "sales", "--allow-cidr", "10.0.0.0/8", "--allow-cidr", "2001:db8::/32")).toBe(
      'created group "sales"\ngroup "sales" allows 10.0.0.0/8, 2001:db8::/32\n',
    );
    await run("group", "create", "hr");
    expect(await run("group", "list")).toMatch(
      /^NAME\s+STATUS\s+ACTIVE\s+ALLOWED\s+CREATED\nhr\s+inactive\s+0\/0\s+any\s+\d{4}-\d\d-\d\dT\S+Z\nsales\s+inactive\s+0\/0\s+10\.0\.0\.0\/8,2001:db8::\/32\s+\S+Z\n$/,
    );
    expect(await run("group", "set", "sales", "--allow-cidr")).toBe('group "sales" allows any address\n');
    expect(await run("group", "set", "sales", "--allow-cidr", "192.168.0.0/16")).toBe('group "sales" allows 192.168.0.0/16\n');
    expect(await run("group", "show", "sales")).toContain("allowed addresses: 192.168.0.0/16\nno agents;");
    const json = JSON.parse(await run("group", "list", "--json"));
    expect(json.map((g: { name: string }) => g.name)).toEqual(["hr", "sales"]);
    expect(json[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await run("group", "delete", "hr")).toBe('deleted group "hr"\n');
  });

  test("refusals are one-line errors: unknown group, duplicate, bad CIDR (a usage error)", async () => {
    await run("group", "create", "sales");
    const missing = await refusal("group", "show", "nope");
    expect([missing instanceof OutpostError, missing.message]).toEqual([true, 'group "nope" does not exist']);
    expect((await refusal("group", "create", "sales")).message).toBe('group "sales" already exists');
    const bad = await refusal("group", "set", "sales", "--allow-cidr", "10.0.0.1/8");
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad.message).toBe('invalid CIDR "10.0.0.1/8": host bits are set; did you mean 10.0.0.0/8?');
  });

  test("upgrade checks the version and refuses a second rollout while one is pending, as the admin API does", async () => {
    await run("group", "create", "sales");
    const bad = await refusal("group", "upgrade", "sales", "--version", "foo");
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad.message).toBe('version must be a release version such as 1.4.0 (got "foo")');
    await run("group", "upgrade", "sales", "--version", "1.2.0");
    const twice = await refusal("group", "upgrade", "sales", "--version", "1.3.0");
    expect([(twice as OutpostError).code, twice.message]).toEqual(["CONFLICT", "a rollout to 1.2.0 is already pending for this group"]);
  });

  test("delete refuses a group with agents unless --force", async () => {
    await run("group", "create", "sales");
    await run("agent", "add", "sales", "--name", "db01");
    expect((await refusal("group", "delete", "sales")).message).toBe(
      'group "sales" still has 1 agent(s); remove them first or force the delete',
    );
    expect(await run("group", "delete", "sales", "--force")).toBe('deleted group "sales" and its 1 agent(s)\n');
  });
});

describe("outpost gateway agent", () => {
  beforeEach(async () => {
    await run("group", "create", "sales");
  });

  test("add prints the one-time code, its expiry and the exact activate line", async () => {
    const out = await run("agent", "add", "sales", "--name", "db01", "--gateway-url", "wss://gw.example.test");
    const code = /\n  (opa_[0-9A-Za-z]{32})\n/.exec(out)?.[1];
    expect(code).toBeDefined();
    expect(out).toContain(`on the agent's machine run:\n  outpost activate ${code} --gateway wss://gw.example.test\n`);
    expect(out).toMatch(/valid until \d{4}-\d\d-\d\dT/);
    // The code really works: it redeems once in the store.
    const store = await openGatewayStore(dataDir);
    const { hashSecret } = await import("../../src/gateway/auth/secrets.ts");
    const redeemed = await store.redeemActivationCode({ codeHash: hashSecret(code!), publicKey: Buffer.alloc(32, 1).toString("base64") });
    expect(redeemed.ok).toBe(true);
    await store.close();
    // No gateway runs here, so nobody is connected: an enabled agent is no_response.
    expect(await run("agent", "list", "sales")).toMatch(/^NAME\s+STATUS.*\ndb01\s+no_response\s/);
  });

  test("without --gateway-url the URL the gateway recorded is used, else a placeholder", async () => {
    expect(await run("agent", "add", "sales", "--name", "a1")).toContain("--gateway <gateway-url>\n(replace <gateway-url>");
    const store = await openGatewayStore(dataDir);
    await store.setSetting("publicUrl", "wss://recorded.test");
    await store.close();
    const json = JSON.parse(await run("agent", "code", "sales", "a1", "--json"));
    expect(json.command).toBe(`outpost activate ${json.activationCode} --gateway wss://recorded.test`);
    expect(json.agent).toMatchObject({ name: "a1", status: "awaiting_setup" });
  });

  test("enable, disable, remove, show; an unactivated agent cannot be enabled", async () => {
    await run("agent", "add", "sales", "--name", "db01");
    expect((await refusal("agent", "enable", "sales", "db01")).message).toContain("has not been activated yet");
    expect(await run("agent", "disable", "sales", "db01")).toBe('disabled agent "db01" of group "sales"\n');
    expect(await run("agent", "show", "sales", "db01")).toContain("status: disabled\n");
    expect(await run("agent", "remove", "sales", "db01")).toBe('removed agent "db01" of group "sales"\n');
    expect((await refusal("agent", "remove", "sales", "db01")).message).toBe('agent "db01" does not exist in group "sales"');
  });
});

describe("outpost gateway token", () => {
  test("create prints the secret once; list never shows it; revoke by name", async () => {
    await run("group", "create", "sales");
    const out = await run("token", "create", "--name", "ci", "--group", "sales");
    const secret = /\n  (opt_[0-9A-Za-z]{43})\n/.exec(out)?.[1];
    expect(out).toStartWith('created token "ci" (groups sales, id ');
    expect(secret).toBeDefined();
    await run("token", "create", "--name", "root", "--admin");
    const list = await run("token", "list");
    expect(list).not.toContain(secret!);
    expect(list).toMatch(/\nci\s+sales\s+\S+\s+-\s+live\s/);
    expect(list).toMatch(/\nroot\s+admin\s/);
    expect(await run("token", "revoke", "ci")).toStartWith('revoked token "ci"');
    expect(JSON.parse(await run("token", "list", "--json"))[0].revokedAt).not.toBeNull();
    expect((await refusal("token", "revoke", "ci")).message).toBe('token "ci" does not exist or is already revoked');
    expect((await refusal("token", "create", "--name", "x", "--group", "nope")).message).toBe('group "nope" does not exist');
  });
});

describe("changes made with --data-dir", () => {
  test("are audited to audit.log in the data folder with the OS user; reads and refusals are not; no secret", async () => {
    await run("group", "create", "sales");
    const out = await run("token", "create", "--name", "ci", "--group", "sales");
    const secret = /\n  (opt_[0-9A-Za-z]{43})\n/.exec(out)![1]!;
    await run("group", "list");
    await refusal("token", "revoke", "nobody");
    await run("token", "revoke", "ci");
    const text = readFileSync(join(dataDir, "audit.log"), "utf8");
    expect(text).not.toContain(secret);
    const lines = text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(["group created", "API token created", "API token revoked"]);
    for (const line of lines) expect(line).toMatchObject({ component: "audit", via: "cli", uid: process.getuid!(), actor: expect.any(String) });
    expect(lines[1]).toMatchObject({ name: "ci", groups: ["sales"], admin: false });
  });
});
