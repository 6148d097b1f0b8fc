/** Log lines of one turn leave in one write; warnings at once; nothing pending is lost at exit. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { batchedSink, createLogger } from "../../src/log/logger.ts";

test("info lines of one turn leave in one write; a warning goes out at once with what was pending", async () => {
  const writes: string[] = [];
  const sink = batchedSink((text) => writes.push(text));
  const log = createLogger("t", { format: "json", sinks: [sink] });
  for (let i = 0; i < 50; i++) log.info(`line-${i}`);
  expect(writes).toEqual([]);
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes).toHaveLength(1);
  expect(writes[0]!.trim().split("\n").map((line) => JSON.parse(line).msg)).toEqual(Array.from({ length: 50 }, (_, i) => `line-${i}`));
  log.info("a");
  log.warn("b");
  expect(writes).toHaveLength(2);
  expect(writes[1]!.trim().split("\n").map((line) => JSON.parse(line).msg)).toEqual(["a", "b"]);
});

test("the stderr sink writes what is pending when the process exits", async () => {
  const file = join(import.meta.dir, `.exit-${crypto.randomUUID()}.ts`);
  await Bun.write(file, `import { createLogger } from ${JSON.stringify(join(import.meta.dir, "../../src/log/logger.ts"))};
const log = createLogger("t", { format: "json" });
log.info("before-exit");
process.exit(0);
`);
  try {
    const proc = Bun.spawn([process.execPath, file], { stderr: "pipe", stdout: "ignore" });
    const text = await new Response(proc.stderr).text();
    expect(await proc.exited).toBe(0);
    expect(text.trim().split("\n").map((line) => JSON.parse(line).msg)).toEqual(["before-exit"]);
  } finally {
    await Bun.file(file).delete();
  }
});
