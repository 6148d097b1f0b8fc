/**
 * `outpost gateway agent list --watch` against a real TLS gateway: it prints the list, and
 * prints it again once an agent is added elsewhere; a bounded `--watch-count` ends it, and
 * so does Ctrl-C (exit 0). Also: the CLI names itself in `User-Agent`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { tempDir } from "./run-cli.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { VERSION } from "../../src/cli/version.ts";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ group: "sales" });
});

afterAll(() => stack.stop());

function spawnCli(args: string[]) {
  const env: Record<string, string> = { XDG_CONFIG_HOME: tempDir("outpost-xdg-") };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OUTPOST_")) env[k] ??= v;
  return Bun.spawn([process.execPath, MAIN, ...args], { cwd: tempDir(), env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
}

/** Reads stdout lines as they come. */
function lines(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return async function next(): Promise<string> {
    for (;;) {
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`stdout ended; left: ${buffered}`);
      buffered += decoder.decode(value, { stream: true });
    }
  };
}

function watch(...extra: string[]) {
  const url = `https://localhost:${stack.gateway.port}`;
  return spawnCli(["gateway", "agent", "list", "sales", "--watch", "-o", "json", "--gateway", url, "--token", stack.token, "--ca", stack.ca.certPath, ...extra]);
}

test("--watch prints the list again when an agent is added, and stops after --watch-count renders", async () => {
  await stack.admin.addAgent("sales", "w1", undefined);
  const child = watch("--watch-count", "2");
  const next = lines(child.stdout);
  const first = JSON.parse(await next());
  expect(first.map((a: { name: string }) => a.name)).toEqual(["w1"]);
  await stack.admin.addAgent("sales", "w2", undefined);
  const second = JSON.parse(await next());
  expect(second.map((a: { name: string; status: string }) => [a.name, a.status])).toEqual([["w1", "awaiting_setup"], ["w2", "awaiting_setup"]]);
  expect([await child.exited, await new Response(child.stderr).text()]).toEqual([0, ""]);
});

test("Ctrl-C ends --watch with exit code 0", async () => {
  const child = watch();
  await lines(child.stdout)();
  child.kill("SIGINT");
  expect(await child.exited).toBe(0);
});

test("the CLI sends User-Agent outpost-cli/<version>", async () => {
  const seen: string[] = [];
  // Plain HTTP is allowed to a loopback address; this stand-in answers like the gateway does.
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      seen.push(request.headers.get("user-agent") ?? "");
      return Response.json({ error: { code: "UNAUTHENTICATED", message: "invalid API token", retryable: false } }, { status: 401 });
    },
  });
  try {
    const child = spawnCli(["gateway", "group", "list", "--gateway", `http://127.0.0.1:${server.port}`, "--token", `opt_${"z".repeat(43)}`]);
    expect(await child.exited).toBe(1);
    expect(seen).toEqual([`outpost-cli/${VERSION}`]);
  } finally {
    server.stop(true);
  }
});
