import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSink } from "../../src/log/file-sink.ts";

const MB = 1024 * 1024;
const dir = () => mkdtempSync(join(tmpdir(), "outpost-log-"));
const line = (n: number, size = 100) => `${String(n).padStart(6, "0")} ${"x".repeat(size - 8)}`;

describe("FileSink rotation", () => {
  test("rotates by size, keeps at most `retain` rotated files, newest kept", () => {
    const d = dir();
    const now = () => Date.UTC(2026, 0, 1, 12);
    const sink = new FileSink({ path: join(d, "outpost.log"), maxSizeMb: 0.01, retain: 3, now }); // ~10 KB per file
    for (let i = 0; i < 600; i++) sink.write(line(i), "info"); // ~60 KB: ~6 rotations
    sink.close();
    const rotated = readdirSync(d).filter((f) => f !== "outpost.log").sort();
    expect(rotated).toHaveLength(3);
    for (const name of rotated) {
      expect(name).toMatch(/^outpost-20260101T120000000-\d{4}\.log$/);
      expect(statSync(join(d, name)).size).toBeLessThanOrEqual(0.01 * MB);
    }
    // Nothing lost between the newest rotated file and the live one: lines are consecutive.
    const newest = readFileSync(join(d, rotated[2]!), "utf8").trim().split("\n");
    const live = readFileSync(join(d, "outpost.log"), "utf8").trim().split("\n");
    expect(Number(live[0]!.slice(0, 6))).toBe(Number(newest.at(-1)!.slice(0, 6)) + 1);
    expect(live.at(-1)!.slice(0, 6)).toBe("000599");
  });

  test("total cap deletes the oldest rotated files first", () => {
    const d = dir();
    const sink = new FileSink({ path: join(d, "a.log"), maxSizeMb: 0.01, retain: 100, totalCapMb: 0.025, now: () => 0 });
    for (let i = 0; i < 1000; i++) sink.write(line(i), "info");
    sink.close();
    const rotated = readdirSync(d).filter((f) => f !== "a.log");
    const total = rotated.reduce((sum, f) => sum + statSync(join(d, f)).size, 0);
    expect(total).toBeLessThanOrEqual(0.025 * MB);
    expect(rotated.length).toBe(2); // ~10 KB each under a 25 KB cap
    // The survivors are the newest: the last one ends right where the live file starts.
    const newest = readFileSync(join(d, rotated.sort()[1]!), "utf8").trim().split("\n");
    const live = readFileSync(join(d, "a.log"), "utf8").trim().split("\n");
    expect(Number(live[0]!.slice(0, 6))).toBe(Number(newest.at(-1)!.slice(0, 6)) + 1);
    expect(live.at(-1)!.slice(0, 6)).toBe("000999");
  });

  test("rotates when the UTC day changes, also across a restart", () => {
    const d = dir();
    const path = join(d, "day.log");
    let clock = Date.UTC(2026, 0, 1, 23, 59);
    const sink = new FileSink({ path, now: () => clock });
    sink.write("day one", "info");
    clock = Date.UTC(2026, 0, 2, 0, 1);
    sink.write("day two", "info");
    sink.close();
    expect(readFileSync(path, "utf8")).toBe("day two\n");
    expect(readdirSync(d).filter((f) => f !== "day.log")).toHaveLength(1);

    // A restart on a later day rotates yesterday's file before the first write.
    utimesSync(path, new Date(clock), new Date(clock));
    clock = Date.UTC(2026, 0, 3, 8);
    const again = new FileSink({ path, now: () => clock });
    again.write("day three", "info");
    again.close();
    expect(readFileSync(path, "utf8")).toBe("day three\n");
    expect(readdirSync(d).filter((f) => f !== "day.log")).toHaveLength(2);
  });

  test("appends to an existing file of the same day", () => {
    const d = dir();
    const path = join(d, "keep.log");
    writeFileSync(path, "earlier\n");
    const sink = new FileSink({ path });
    sink.write("later", "warn");
    sink.close();
    expect(readFileSync(path, "utf8")).toBe("earlier\nlater\n");
  });
});
