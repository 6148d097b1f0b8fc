import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoggingSection } from "../../src/config/types.ts";
import { createLoggerFromConfig, type LoggingSettings } from "../../src/log/from-config.ts";

// The config's type must stay assignable to the structural type the log room accepts.
const _assignable: (section: LoggingSection) => LoggingSettings = (section) => section;

test("levels per component, json format, and a file relative to config.yml's folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-fromcfg-"));
  const memory: string[] = [];
  const { logger, close } = createLoggerFromConfig(
    { level: "warn", components: { sql: "debug" }, format: "json", file: { path: "logs/o.log" } },
    { baseDir: dir, stderr: false, sinks: [{ write: (line) => memory.push(line) }], now: () => 0 },
  );
  logger.child("agent").info("hidden");
  logger.child("agent").warn("shown");
  logger.child("sql").debug("query", { rows: 3 });
  close();
  const fileLines = readFileSync(join(dir, "logs/o.log"), "utf8").trim().split("\n");
  expect(fileLines).toEqual(memory);
  expect(memory.map((l) => JSON.parse(l))).toEqual([
    { time: "1970-01-01T00:00:00.000Z", level: "warn", component: "agent", msg: "shown" },
    { time: "1970-01-01T00:00:00.000Z", level: "debug", component: "sql", msg: "query", rows: 3 },
  ]);
});

test("an override level (--debug) applies to every component", () => {
  const memory: string[] = [];
  const { logger } = createLoggerFromConfig({ level: "error", components: { agent: "error" }, format: "text" }, { level: "debug", stderr: false, sinks: [{ write: (l) => memory.push(l) }] });
  logger.child("agent").debug("now visible");
  expect(memory).toHaveLength(1);
  expect(memory[0]).toContain("DEBUG [agent] now visible");
});
