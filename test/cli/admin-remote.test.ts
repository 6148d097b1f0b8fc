/**
 * The admin CLI against a real TLS gateway (test/support/stack.ts) over HTTPS with a token,
 * run as a person runs it (`bun src/cli/main.ts …` in a throwaway folder): what it does
 * with a token, how it refuses without a good one, the saved `login` context, and that
 * `--data-dir` never creates a store.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "./run-cli.ts";
import { startStack, type Stack } from "../support/stack.ts";

let stack: Stack;
let url: string;
/** A config home of its own, so no test reads or writes the real user's saved context. */
const env = () => ({ XDG_CONFIG_HOME: tempDir("outpost-xdg-") });
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

beforeAll(async () => {
  stack = await startStack({ group: "sales" });
  url = `https://localhost:${stack.gateway.port}`;
});

afterAll(() => stack.stop());

function remote(...args: string[]): string[] {
  return ["gateway", ...args, "--gateway", url, "--token", stack.adminToken, "--ca", stack.ca.certPath];
}

describe("admin CLI over HTTPS with a token", () => {
  test("create a group, add an agent, create and revoke a token, list as json and wide", async () => {
    const created = await runCli(remote("group", "create", "paris", "--allow-cidr", "10.0.0.0/8"), { env: env() });
    expect([created.code, created.stdout]).toEqual([0, 'created group "paris"\ngroup "paris" allows 10.0.0.0/8\n']);

    const added = await runCli(remote("agent", "add", "paris", "--name", "db01"), { env: env() });
    expect(added.code).toBe(0);
    const code = /\n {2}(opa_[0-9A-Za-z]+)\n/.exec(added.stdout)?.[1];
    expect(added.stdout).toContain(`on the agent's machine run:\n  outpost activate ${code} --gateway wss://`);
    expect(added.stdout).toMatch(/valid until \d{4}-\d\d-\d\dT[\d:.]+Z; not shown again/);

    const token = await runCli(remote("token", "create", "--name", "paris-app", "--group", "paris", "-o", "json"), { env: env() });
    const { token: made, secret } = JSON.parse(token.stdout);
    expect(secret).toMatch(/^opt_/);
    expect([made.name, made.groups, made.createdAt]).toEqual(["paris-app", ["paris"], expect.stringMatching(ISO)]);
    expect((await stack.call("/v1/groups/paris", { token: secret })).status).toBe(200);
    const revoked = await runCli(remote("token", "revoke", "paris-app"), { env: env() });
    expect(revoked.stdout).toStartWith('revoked token "paris-app"');
    expect((await stack.call("/v1/groups/paris", { token: secret })).status).toBe(401);

    const groups = JSON.parse((await runCli(remote("group", "list", "-o", "json"), { env: env() })).stdout);
    expect(groups.map((g: { name: string }) => g.name)).toEqual(["paris", "sales"]);
    expect(groups[0].createdAt).toMatch(ISO);
    const tokens = JSON.parse((await runCli(remote("token", "list", "--json"), { env: env() })).stdout);
    const paris = tokens.find((t: { name: string }) => t.name === "paris-app");
    expect([paris.createdAt, paris.revokedAt]).toEqual([expect.stringMatching(ISO), expect.stringMatching(ISO)]);
    expect(JSON.stringify(tokens)).not.toContain(secret);

    const wide = await runCli(remote("agent", "list", "paris", "-o", "wide"), { env: env() });
    expect(wide.stdout).toMatch(/^NAME\s+STATUS\s+LAST SEEN\s+VERSION\s+HOST\s+OS\s+USER\s+REMOTE IP\s+CONNECTED SINCE\s+IN FLIGHT\s+PROFILES\s+ID\n/);
    expect(wide.stdout).toMatch(/\ndb01\s+awaiting_setup\s+-\s/);
    const table = await runCli(remote("group", "list"), { env: env() });
    expect(table.stdout).toMatch(/\nparis\s+inactive\s+0\/0\s+10\.0\.0\.0\/8\s+\d{4}-\d\d-\d\dT\S+Z\n/);

    // Rollout times are ISO, over the API and in the CLI, like every other time.
    const rollout = JSON.parse((await runCli(remote("group", "upgrade", "paris", "--version", "1.2.0", "-o", "json"), { env: env() })).stdout);
    expect([rollout.version, rollout.requestedAt, rollout.updatedAt]).toEqual(["1.2.0", expect.stringMatching(ISO), expect.stringMatching(ISO)]);
  });

  test("a connected agent is active, with its connection in -o wide", async () => {
    await stack.addAgent("live01");
    const wide = await runCli(remote("agent", "list", "sales", "-o", "wide"), { env: env() });
    expect(wide.stdout).toMatch(/\nlive01\s+active\s+\S+Z\s+0\.0\.0-test\s+\S+\s+\S+\s+\S+\s+127\.0\.0\.1\s+\d{4}-\d\d-\d\dT\S+Z\s+0\s/);
  });

  test("refuses without a token (exit 2), with a wrong token (the gateway's 401), with an untrusted certificate", async () => {
    const none = await runCli(["gateway", "group", "list", "--gateway", url, "--ca", stack.ca.certPath], { env: env() });
    expect([none.code, none.errLines]).toEqual([2, [`outpost: no token for ${url}: pass --token, set OUTPOST_GATEWAY_TOKEN, or run \`outpost gateway login --gateway ${url}\``]]);
    const wrong = await runCli(["gateway", "group", "list", "--gateway", url, "--ca", stack.ca.certPath, "--token", `opt_${"x".repeat(43)}`], { env: env() });
    expect([wrong.code, wrong.errLines]).toEqual([1, ["outpost: the gateway refused the token: invalid API token"]]);
    const untrusted = await runCli(["gateway", "group", "list", "--gateway", url, "--token", stack.adminToken], { env: env() });
    expect(untrusted.code).toBe(1);
    expect(untrusted.errLines).toHaveLength(1);
    expect(untrusted.errLines[0]).toMatch(/^outpost: the gateway's certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); pass --ca FILE /);
    const plain = await runCli(["gateway", "group", "list", "--gateway", "http://gateway.example.com", "--token", stack.adminToken], { env: env() });
    expect([plain.code, plain.errLines]).toEqual([2, ["outpost: refusing to send an admin token in the clear to gateway.example.com: use https://"]]);
  });

  test("the environment names the gateway too", async () => {
    const listed = await runCli(["gateway", "group", "list", "-o", "json"], {
      env: { ...env(), OUTPOST_GATEWAY_URL: url, OUTPOST_GATEWAY_TOKEN: stack.adminToken, OUTPOST_GATEWAY_CA: stack.ca.certPath },
    });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((g: { name: string }) => g.name)).toContain("sales");
  });
});

describe("outpost gateway login", () => {
  test("saves a 0600 context; commands then need no flags; the token is never printed; logout forgets it", async () => {
    const home = env();
    const login = await runCli(["gateway", "login", "--gateway", url, "--ca", stack.ca.certPath], { env: home, stdin: `${stack.adminToken}\n` });
    expect([login.code, login.errLines]).toEqual([0, []]);
    const file = join(home.XDG_CONFIG_HOME, "outpost", "gateway.json");
    expect(login.stdout).toBe(`logged in to ${url} (${(await stack.admin.store.listGroups()).length} group(s) visible)\nsaved to ${file} (mode 0600); \`outpost gateway logout\` forgets it\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const listed = await runCli(["gateway", "agent", "list", "sales", "--json"], { env: home });
    expect(listed.code).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
    const created = await runCli(["gateway", "group", "create", "lyon"], { env: home });
    expect(created.stdout).toStartWith('created group "lyon"');
    for (const run of [login, listed, created]) expect(run.stdout + run.stderr).not.toContain(stack.adminToken);

    // The saved token goes to the saved gateway only: another URL without a token is refused.
    const elsewhere = await runCli(["gateway", "group", "list", "--gateway", "https://other.example.com"], { env: home });
    expect([elsewhere.code, elsewhere.errLines[0]]).toEqual([2, expect.stringContaining("outpost: no token for https://other.example.com")]);

    // A context others can read is refused, not used: it holds an admin token.
    chmodSync(file, 0o644);
    const exposed = await runCli(["gateway", "group", "list"], { env: home });
    expect([exposed.code, exposed.errLines]).toEqual([2, [`outpost: ${file} holds an admin token but others may read it; run \`chmod 600 ${file}\` or log in again`]]);
    chmodSync(file, 0o600);

    const logout = await runCli(["gateway", "logout"], { env: home });
    expect([logout.code, logout.stdout, existsSync(file)]).toEqual([0, `removed ${file}\n`, false]);
    const after = await runCli(["gateway", "group", "list"], { env: home });
    expect(after.code).toBe(2);
  });

  test("a wrong token is not saved", async () => {
    const home = env();
    const login = await runCli(["gateway", "login", "--gateway", url, "--ca", stack.ca.certPath, "--token", `opt_${"y".repeat(43)}`], { env: home });
    expect([login.code, login.errLines]).toEqual([1, ["outpost: the gateway refused the token: invalid API token"]]);
    expect(existsSync(join(home.XDG_CONFIG_HOME, "outpost", "gateway.json"))).toBe(false);
  });
});

describe("no implicit store", () => {
  test("with neither a context nor --data-dir: one error saying what to pass; nothing created", async () => {
    const cwd = tempDir();
    const run = await runCli(["gateway", "group", "list"], { cwd, env: env() });
    expect([run.code, run.errLines]).toEqual([2, [
      "outpost: no gateway to administer: pass --gateway URL --token TOKEN (or run `outpost gateway login` once), or --data-dir DIR on the gateway's host",
    ]]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test("--data-dir pointing nowhere, or at a folder without gateway.db, is an error naming it and creates nothing", async () => {
    const cwd = tempDir();
    const missing = join(cwd, "gateway-data");
    const run = await runCli(["gateway", "group", "list", "--data-dir", missing], { cwd, env: env() });
    expect([run.code, run.errLines]).toEqual([2, [`outpost: --data-dir ${missing} does not exist; give the folder of the gateway's gateway.db`]]);
    expect(readdirSync(cwd)).toEqual([]);
    const empty = await runCli(["gateway", "token", "list", "--data-dir", cwd], { cwd, env: env() });
    expect(empty.code).toBe(2);
    expect(empty.errLines[0]).toStartWith(`outpost: --data-dir ${cwd} holds no gateway.db;`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test("--data-dir on the gateway's store works beside the running gateway", async () => {
    const run = await runCli(["gateway", "agent", "list", "sales", "--data-dir", join(stack.dir, "gateway-data"), "-o", "json"], { env: env() });
    expect(run.code).toBe(0);
    const live01 = JSON.parse(run.stdout).find((a: { name: string }) => a.name === "live01");
    expect(live01.status).toBe("active"); // from the presence the running gateway records in the store
  });
});
