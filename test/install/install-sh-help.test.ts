/**
 * @module
 * `install.sh --help` as the docs run it, piped into the shell (`curl … | sh -s -- --help`):
 * there is no script file then, so the text cannot come from the script's own comments.
 * Under sh, dash, bash and busybox sh, like install-sh.test.ts.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO } from "../support/binary.ts";

const SHELLS = [["sh"], ["dash"], ["bash"], ["busybox", "sh"]] as const;

for (const shell of SHELLS) {
  test(`--help piped into ${shell.join(" ")} prints the options and exits 0`, async () => {
    const child = Bun.spawn([...shell, "-s", "--", "--help"], { stdin: Bun.file(join(REPO, "install.sh")), stdout: "pipe", stderr: "pipe" });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    expect(stdout).toContain("Options:");
    expect(stdout).toContain("--version V");
    expect(stdout).toContain("OUTPOST_DOWNLOAD_BASE");
  });
}
