/**
 * The OS user an agent reports: with `$USER` unset (systemd, cron, `env -i`) it is still a
 * name from the passwd file, or the uid when there is none — never "unknown".
 */
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const MODULE = resolve(import.meta.dir, "../../src/agent/os-user.ts");

async function userWithout(passwd?: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !["USER", "LOGNAME", "USERNAME"].includes(key)) env[key] = value;
  const script = `import { osUser } from ${JSON.stringify(MODULE)}; console.log(osUser(process.env${passwd ? `, ${JSON.stringify(passwd)}` : ""}));`;
  const child = Bun.spawn([process.execPath, "-e", script], { env, stdout: "pipe", stderr: "inherit" });
  const out = await new Response(child.stdout).text();
  expect(await child.exited).toBe(0);
  return out.trim();
}

test("with $USER unset, the user comes from the passwd entry of the uid", async () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-user-"));
  const passwd = join(dir, "passwd");
  writeFileSync(passwd, `someone:x:4242:4242::/:/bin/sh\nrunner:x:${process.getuid!()}:0::/:/bin/sh\n`);
  expect(await userWithout(passwd)).toBe("runner");
});

test("with $USER unset and no passwd entry, the user is the uid", async () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-user-"));
  const passwd = join(dir, "passwd");
  writeFileSync(passwd, "someone:x:4242:4242::/:/bin/sh\n");
  expect(await userWithout(passwd)).toBe(`uid ${process.getuid!()}`);
  expect(await userWithout(join(dir, "missing"))).toBe(`uid ${process.getuid!()}`);
});
