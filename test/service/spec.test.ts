/** @module Reading config.yml for the service files: a YAML error says where, never what the line holds. */
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serviceSpec } from "../../src/service/spec.ts";

test("a broken config.yml is CONFIG_UNREADABLE with file:line:column and without the line's password", () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-spec-"));
  const configPath = join(dir, "config.yml");
  writeFileSync(configPath, "databases:\n  sales:\n    adapter: postgresql\n    password: s3cr3t: pw\n");
  let error: { code?: string; message?: string } = {};
  try {
    serviceSpec({ binary: "/usr/local/bin/outpost", configPath, upgradeExitCode: 75 });
  } catch (thrown) {
    error = thrown as typeof error;
  }
  expect(error.code).toBe("CONFIG_UNREADABLE");
  expect(error.message).toContain(`${configPath}:4:`);
  expect(error.message).not.toContain("s3cr3t");
});

test("a good config.yml gives its log folder and shutdown grace", () => {
  const dir = mkdtempSync(join(tmpdir(), "outpost-spec-"));
  const configPath = join(dir, "config.yml");
  writeFileSync(configPath, "agent:\n  shutdown_grace: 10\n");
  const spec = serviceSpec({ binary: "/usr/local/bin/outpost", configPath, upgradeExitCode: 75 });
  expect(spec.logDir).toBe(join(dir, "logs"));
  expect(spec.stopTimeoutSeconds).toBe(25);
});
