/**
 * @module
 * install.ps1 cannot run here (no PowerShell), so it is parsed with the PowerShell grammar
 * of tree-sitter under Node. The parser lives in .tmp/ps-parser (gitignored), installed from
 * the npm registry on first use; its prebuilt addons need no compiler.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, run, tempDir } from "../upgrade/release-fixture.ts";

const PARSER_DIR = join(REPO, ".tmp/ps-parser");
const SCRIPT = join(REPO, "install.ps1");
const parse = (file: string) => run(["node", join(import.meta.dir, "parse-ps1.mjs"), PARSER_DIR, file]);

beforeAll(async () => {
  if (existsSync(join(PARSER_DIR, "node_modules/tree-sitter-powershell"))) return;
  mkdirSync(PARSER_DIR, { recursive: true });
  const npm = await run(["npm", "install", "--prefix", PARSER_DIR, "--no-save", "--no-audit", "--no-fund", "tree-sitter@0.25", "tree-sitter-powershell@0.26"]);
  expect(npm.code).toBe(0);
}, 300_000);

test("install.ps1 parses without ERROR or MISSING nodes", async () => {
  const result = await parse(SCRIPT);
  expect(result.stdout + result.stderr).toContain("parsed: program");
  expect(result.code).toBe(0);
});

test("the parser does catch a broken script", async () => {
  const broken = join(tempDir("outpost-ps1-"), "broken.ps1");
  writeFileSync(broken, readFileSync(SCRIPT, "utf8").replace("if ($arch -ne \"x64\" -and $arch -ne \"arm64\") {", "if ($arch -ne \"x64\" -and {"));
  const result = await parse(broken);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/ERROR|MISSING/);
});

test("install.ps1 checks the hash, installs per user, and keeps REG_EXPAND_SZ in PATH", () => {
  const script = readFileSync(SCRIPT, "utf8");
  expect(script).toContain("Get-FileHash -Algorithm SHA256");
  expect(script).toContain('Join-Path $env:LOCALAPPDATA "Programs\\Outpost"');
  expect(script).toContain("[Microsoft.Win32.Registry]::CurrentUser.OpenSubKey('Environment', $true)");
  expect(script).toContain("[Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames");
  expect(script).toContain("[Microsoft.Win32.RegistryValueKind]::ExpandString");
  expect(script.trimEnd().split("\n").at(-1)).toBe("Install-Outpost");
});

test("install.ps1 -Service prints activate before service install and runs neither", () => {
  const script = readFileSync(SCRIPT, "utf8");
  expect(script).not.toMatch(/&\s*\$target\s+service\s+install/);
  expect(script.indexOf('activate CODE --gateway')).toBeGreaterThan(0);
  expect(script.indexOf('" service install --config')).toBeGreaterThan(script.indexOf('activate CODE --gateway'));
});
