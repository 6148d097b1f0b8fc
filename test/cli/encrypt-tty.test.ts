/**
 * `outpost encrypt` at a real terminal: util-linux `script` gives the CLI a pseudo-TTY.
 * Input is typed only after each prompt appears, and the typed secret must not be echoed.
 */
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { tempDir } from "./run-cli.ts";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");

async function typeAtPrompts(entries: string[]) {
  const dir = tempDir();
  const child = Bun.spawn(["script", "-qec", `${process.execPath} ${MAIN} encrypt`, "/dev/null"], {
    cwd: dir,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  let screen = "";
  const waitFor = async (text: string, from: number) => {
    while (screen.indexOf(text, from) < 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`no "${text}" on screen: ${screen}`);
      screen += new TextDecoder().decode(value);
    }
  };
  const prompts = ["Secret: ", "Again: "];
  for (const [i, entry] of entries.entries()) {
    await waitFor(prompts[i]!, 0);
    child.stdin.write(`${entry}\r`);
    child.stdin.flush();
  }
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    screen += new TextDecoder().decode(value);
  }
  child.stdin.end();
  return { code: await child.exited, screen };
}

test("typed twice without echo; prints the encrypted value", async () => {
  const { code, screen } = await typeAtPrompts(["tty-secret-42", "tty-secret-42"]);
  expect(code).toBe(0);
  expect(screen).toMatch(/\{encrypted: 'ov1:[A-Za-z0-9+/=]+'\}/);
  expect(screen).not.toContain("tty-secret-42");
});

test("two different entries: nothing is encrypted, exit 2", async () => {
  const { code, screen } = await typeAtPrompts(["first-try", "second-try"]);
  expect(code).toBe(2);
  expect(screen).toContain("outpost: the two entries differ; nothing was encrypted");
  expect(screen).not.toContain("ov1:");
  expect(screen).not.toContain("first-try");
});
