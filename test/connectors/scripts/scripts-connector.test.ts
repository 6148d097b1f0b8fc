/** @module The scripts connector with real processes: literal arguments, validation, process-tree kill (setsid children too), pipes held open, output caps, limits. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScriptCommand, ScriptsProfile } from "../../../src/config/types.ts";
import type { JsonValue, ScriptsConnector } from "../../../src/connectors/connector.ts";
import { createCallContext } from "../../../src/connectors/context.ts";
import { ConnectorError } from "../../../src/connectors/errors.ts";
import { createManagedProfile } from "../../../src/connectors/registry.ts";
import { silentLogger } from "../../../src/log/logger.ts";
import { ProcessScriptsConnector } from "../../../src/connectors/scripts/scripts-connector.ts";
import { failure } from "../../support/failure.ts";

const dir = mkdtempSync(join(tmpdir(), "outpost-scripts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = () => createCallContext({ timeoutMs: 30_000 });

/** A scripts profile inside its managed wrapper, as the agent runs it. */
async function managed(name: string, scripts: ScriptsProfile, options: { concurrency?: number; queueSize?: number }): Promise<ScriptsConnector> {
  return (await createManagedProfile("scripts", name, scripts, { log: silentLogger, ...options })) as unknown as ScriptsConnector;
}

/** A shell script that gets a pid file as `$1`. */
function pidScript(script: string, timeout?: number): ScriptCommand {
  return { argv: ["sh", "-c", script, "sh", "{pidfile}"], params: { pidfile: { type: "string" } }, timeout };
}
/** A process that leaves the script's session with setsid and writes its own pid, so the test knows which one to look for. */
const DAEMON = `setsid sh -c 'echo $$ > "$1"; exec sleep 1000' sh "$1"`;

const profile: ScriptsProfile = {
  timeout: 30,
  commands: {
    echo: { argv: ["printf", "%s", "{text}"], params: { text: { type: "string" } } },
    flag: { argv: ["printf", "%s|", "--name={who}", "{verbose}"], params: { who: { type: "string", default: "world" }, verbose: { type: "boolean", required: false } } },
    typed: {
      argv: ["printf", "%s,", "{id}", "{ratio}", "{mode}", "{code}"],
      params: {
        id: { type: "integer" },
        ratio: { type: "number" },
        mode: { type: "enum", values: ["fast", "safe"] },
        code: { type: "string", pattern: "[A-Z]{3}", required: false },
      },
    },
    tree: pidScript('sleep 60 & echo $! > "$1"; echo started; wait', 1),
    escaped: pidScript(`${DAEMON} > /dev/null 2>&1 & wait`, 1),
    holding: pidScript(`${DAEMON} & wait`, 1),
    // A double fork: the subshell exits at once, so the daemon may be reparented before any snapshot sees it.
    // The script waits for the daemon's pid, so the daemon surely exists when the call ends.
    daemon: pidScript(`(${DAEMON} &); until [ -s "$1" ]; do sleep 0.01; done; sleep 1000`, 1),
    quick: pidScript(`(${DAEMON} &); until [ -s "$1" ]; do sleep 0.01; done; echo done`),
    dashes: {
      argv: ["printf", "%s|", "{free}", "{coded}", "{count}", "{mode}", "{opted}", "--label={label}"],
      params: {
        free: { type: "string", required: false },
        coded: { type: "string", pattern: ".*", required: false },
        count: { type: "integer", required: false },
        mode: { type: "enum", values: ["-v", "-q"], required: false },
        opted: { type: "string", allow_dash: true, required: false },
        label: { type: "string", required: false },
      },
    },
    starts: {
      argv: ["printf", "%s|", "{name}.txt", "{a}{b}", "-{admin}", "x{mid}", "{opted}.log"],
      params: {
        name: { type: "string", pattern: "[A-Za-z0-9=/_.-]+", required: false },
        a: { type: "string", pattern: ".*", required: false },
        b: { type: "string", pattern: ".*", required: false },
        admin: { type: "string", required: false },
        mid: { type: "string", required: false },
        opted: { type: "string", allow_dash: true, required: false },
      },
    },
    loud: { argv: ["head", "-c", "3000000", "/dev/zero"] },
    fail: { argv: ["sh", "-c", "echo oops >&2; exit 3"] },
    missing: { argv: ["/no/such/program"] },
  },
  max_output: 1000,
};

/** The pid a script wrote to `file`, once it is there. */
async function pidIn(file: string): Promise<number> {
  while (!existsSync(file) || readFileSync(file, "utf8").trim() === "") await Bun.sleep(10);
  return Number(readFileSync(file, "utf8").trim());
}

/** Whether `pid` is still alive a moment after the call ended; kills it either way, so no test leaves one behind. */
async function survived(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isAlive(pid); i++) await Bun.sleep(20);
  const alive = isAlive(pid);
  cleanUp(pid);
  return alive;
}

/** Kills what a test knowingly let escape, so it does not outlive the test run. */
function cleanUp(pid: number): void {
  try {
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Alive and not a zombie (a container's PID 1 may never reap it). */
function isAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  return state !== "Z" && state !== "X";
}

describe("scripts", () => {
  const scripts = new ProcessScriptsConnector({ profile });

  test("shell metacharacters in a parameter arrive literally as one argument", async () => {
    const nasty = "; rm -rf / $(id) `x` | & > < && echo pwned \n 'quoted' \"double\" *";
    const result = await scripts.run("echo", { text: nasty }, ctx());
    expect(result).toEqual({ exitCode: 0, stdout: nasty, stderr: "", truncated: false });
  });

  test("placeholders inside text, defaults, and absent optional elements", async () => {
    expect((await scripts.run("flag", {}, ctx())).stdout).toBe("--name=world|");
    expect((await scripts.run("flag", { who: "a b", verbose: true }, ctx())).stdout).toBe("--name=a b|true|");
  });

  test("typed parameters are checked before anything runs", async () => {
    expect((await scripts.run("typed", { id: 42, ratio: "1.5", mode: "safe", code: "ABC" }, ctx())).stdout).toBe("42,1.5,safe,ABC,");
    const bad: Record<string, JsonValue>[] = [
      { id: "12a", ratio: 1, mode: "fast" },
      { id: 1.5, ratio: 1, mode: "fast" },
      { id: 1, ratio: "many", mode: "fast" },
      { id: 1, ratio: 1, mode: "reckless" },
      { id: 1, ratio: 1, mode: "fast", code: "ABCD" },
      { id: 1, ratio: 1, mode: "fast", code: "AB; C" },
      { id: 1, ratio: 1 },
      { id: 1, ratio: 1, mode: "fast", extra: "x" },
    ];
    for (const params of bad) expect({ params, code: (await failure(scripts.run("typed", params, ctx()))).code }).toEqual({ params, code: "BAD_REQUEST" });
    expect((await failure(scripts.run("flag", { verbose: "yes" }, ctx()))).code).toBe("BAD_REQUEST");
    expect((await failure(scripts.run("not-listed", {}, ctx()))).code).toBe("NOT_FOUND");
    expect((await failure(scripts.run("toString", {}, ctx()))).code).toBe("NOT_FOUND");
  });

  test("a value starting with '-' is refused as a whole argv element unless the parameter allows dashes", async () => {
    const refused: Record<string, JsonValue>[] = [{ free: "--output=/etc/x" }, { free: "-rf" }, { coded: "-x" }, { count: -5 }, { count: "-5" }];
    for (const params of refused) {
      const error = await failure(scripts.run("dashes", params, ctx()));
      expect({ params, code: error.code }).toEqual({ params, code: "BAD_REQUEST" });
    }
    const passed = await scripts.run("dashes", { free: "a-b", count: 5, mode: "-v", opted: "--yes", label: "-x" }, ctx());
    expect(passed.stdout).toBe("a-b|5|-v|--yes|--label=-x|");
  });

  test("a value that begins an argv element may not start with '-', whatever text follows the placeholder", async () => {
    const refused: Record<string, JsonValue>[] = [
      { name: "--output=/tmp/victim" },
      { name: "-o" },
      { b: "--output=/tmp/x" },
      { a: "", b: "-x" },
      { a: "-x", b: "y" },
    ];
    for (const params of refused) {
      const error = await failure(scripts.run("starts", params, ctx()));
      expect({ params, code: error.code, message: error.message }).toEqual({ params, code: "BAD_REQUEST", message: expect.stringContaining('must not start with "-"') });
    }
    // The administrator's own dash, a dash after other text, and allow_dash all pass.
    const passed = await scripts.run("starts", { name: "a-b", a: "x", b: "-y", admin: "-z", mid: "-m", opted: "--yes" }, ctx());
    expect(passed.stdout).toBe("a-b.txt|x-y|--z|x-m|--yes.log|");
  });

  test("a placeholder may choose the program only from an enum", () => {
    const load = (type: "string" | "enum") =>
      new ProcessScriptsConnector({ profile: { commands: { run: { argv: ["{tool}", "x"], params: { tool: { type, values: ["ls", "cat"] } } } } } });
    expect(() => load("string")).toThrow(/^script run: argv\[0\] uses \{tool\}/);
    expect(() => load("enum")).not.toThrow();
  });

  test("a timeout kills the whole process tree", async () => {
    const pidfile = join(dir, "grandchild.pid");
    const error = await failure(scripts.run("tree", { pidfile }, ctx()));
    expect(error.code).toBe("TIMEOUT");
    const grandchild = Number(readFileSync(pidfile, "utf8").trim());
    expect(grandchild).toBeGreaterThan(0);
    for (let i = 0; i < 50 && isAlive(grandchild); i++) await Bun.sleep(20);
    expect(isAlive(grandchild)).toBe(false);
  });

  test("a cancel kills the tree too", async () => {
    const pidfile = join(dir, "cancelled.pid");
    const caller = new AbortController();
    const call = createCallContext({ signal: caller.signal, timeoutMs: 30_000 });
    const running = scripts.run("tree", { pidfile }, call);
    while (!existsSync(pidfile) || readFileSync(pidfile, "utf8").trim() === "") await Bun.sleep(10);
    caller.abort();
    expect((await failure(running)).code).toBe("CANCELLED");
    const grandchild = Number(readFileSync(pidfile, "utf8").trim());
    for (let i = 0; i < 50 && isAlive(grandchild); i++) await Bun.sleep(20);
    expect(isAlive(grandchild)).toBe(false);
  });

  test("a child that called setsid is killed at timeout and at cancel", async () => {
    const timedOut = join(dir, "setsid-timeout.pid");
    expect((await failure(scripts.run("escaped", { pidfile: timedOut }, ctx()))).code).toBe("TIMEOUT");
    const first = await pidIn(timedOut);
    expect(await survived(first)).toBe(false);

    const cancelled = join(dir, "setsid-cancel.pid");
    const caller = new AbortController();
    const running = scripts.run("escaped", { pidfile: cancelled }, createCallContext({ signal: caller.signal, timeoutMs: 30_000 }));
    const second = await pidIn(cancelled);
    caller.abort();
    expect((await failure(running)).code).toBe("CANCELLED");
    expect(await survived(second)).toBe(false);
  });

  test("a setsid child holding stdout open does not hold the call past its timeout, and is killed", async () => {
    const pidfile = join(dir, "holding.pid");
    expect((await failure(scripts.run("holding", { pidfile }, ctx()))).code).toBe("TIMEOUT");
    const pid = await pidIn(pidfile);
    expect(await survived(pid)).toBe(false);
  });

  test("a double-forked daemon holding stdout open: the call still ends at its timeout", async () => {
    const pidfile = join(dir, "daemon.pid");
    const error = await failure(scripts.run("daemon", { pidfile }, ctx()));
    cleanUp(await pidIn(pidfile));
    expect(error.code).toBe("TIMEOUT");
  });

  test("a script that exits while a daemon holds stdout answers with what it wrote", async () => {
    const pidfile = join(dir, "quick.pid");
    const result = await scripts.run("quick", { pidfile }, ctx());
    cleanUp(await pidIn(pidfile));
    expect([result.exitCode, result.stdout]).toEqual([0, "done\n"]);
  });

  test("output past max_output is cut and flagged, and the child is not blocked", async () => {
    const result = await scripts.run("loud", {}, ctx());
    expect([result.exitCode, result.stdout.length, result.truncated]).toEqual([0, 1000, true]);
  });

  test("exit codes and stderr come back; a missing program is NOT_FOUND", async () => {
    expect(await scripts.run("fail", {}, ctx())).toEqual({ exitCode: 3, stdout: "", stderr: "oops\n", truncated: false });
    expect((await failure(scripts.run("missing", {}, ctx()))).code).toBe("NOT_FOUND");
  });

  test("concurrency_limit is the profile's managed limit: calls beyond it and the queue get UNAVAILABLE", async () => {
    const one = await managed("limited", { ...profile, concurrency_limit: 1 }, { queueSize: 0 });
    const caller = new AbortController();
    const running = one.run("tree", { pidfile: join(dir, "limit.pid") }, createCallContext({ signal: caller.signal }));
    const refused = await failure(one.run("echo", { text: "x" }, ctx()));
    expect([refused.code, refused.retryable]).toEqual(["UNAVAILABLE", true]);
    caller.abort();
    await failure(running);
    expect((await one.run("echo", { text: "after" }, ctx())).stdout).toBe("after");
  });

  test("one limiter per scripts profile: concurrency_limit, capped by agent.profile_concurrency", async () => {
    // Two scripts may run with concurrency_limit 2; a third waits in the managed queue
    // (size 1), a fourth is refused. A second limiter inside would refuse earlier or later.
    const two = await managed("two", { ...profile, concurrency_limit: 2 }, { concurrency: 16, queueSize: 1 });
    const callers = [new AbortController(), new AbortController(), new AbortController()];
    const running = callers.map((caller, i) => two.run("tree", { pidfile: join(dir, `two-${i}.pid`) }, createCallContext({ signal: caller.signal })));
    const refused = await failure(two.run("echo", { text: "x" }, ctx()));
    expect(refused.code).toBe("UNAVAILABLE");
    for (const caller of callers) caller.abort();
    await Promise.all(running.map((call) => failure(call)));
    const capped = await managed("capped", { ...profile, concurrency_limit: 5 }, { concurrency: 1, queueSize: 0 });
    const caller = new AbortController();
    const first = capped.run("tree", { pidfile: join(dir, "capped.pid") }, createCallContext({ signal: caller.signal }));
    expect((await failure(capped.run("echo", { text: "x" }, ctx()))).code).toBe("UNAVAILABLE");
    caller.abort();
    await failure(first);
  });

  test("a profile whose argv names an undeclared placeholder is refused at load", () => {
    expect(() => new ProcessScriptsConnector({ profile: { commands: { x: { argv: ["echo", "{nope}"] } } } })).toThrow(ConnectorError);
  });

  test("a pattern that is not valid as it will be checked (Unicode mode) is refused at load, naming script and parameter", () => {
    // `[\w-.]` compiles without flags but not with "u", which every call uses.
    const load = () => new ProcessScriptsConnector({ profile: { commands: { tag: { argv: ["echo", "{v}"], params: { v: { type: "string", pattern: "[\\w-.]+" } } } } } });
    expect(load).toThrow(ConnectorError);
    expect(load).toThrow(/^script tag: parameter v: pattern is not a valid regular expression/);
  });
});
