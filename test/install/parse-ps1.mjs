// Parses a .ps1 file with tree-sitter-powershell and prints every ERROR or MISSING node.
// Runs under Node (tree-sitter's native addon crashes under Bun).
// Usage: node parse-ps1.mjs <folder with node_modules> <file.ps1>; exit 0 when clean.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modulesDir, file] = process.argv.slice(2);
const require = createRequire(`${modulesDir}/`);
const load = async (name) => (await import(pathToFileURL(require.resolve(name)).href)).default;
const Parser = await load("tree-sitter");
const PowerShell = await load("tree-sitter-powershell");

const parser = new Parser();
parser.setLanguage(PowerShell);
const tree = parser.parse(readFileSync(file, "utf8"));
const problems = [];
const walk = (node) => {
  if (node.type === "ERROR" || node.isMissing) problems.push(`${node.isMissing ? `MISSING ${node.type}` : "ERROR"} at line ${node.startPosition.row + 1}, column ${node.startPosition.column + 1}`);
  for (const child of node.children) walk(child);
};
walk(tree.rootNode);
console.log(problems.length === 0 ? `parsed: ${tree.rootNode.type} with ${tree.rootNode.namedChildCount} statements` : problems.join("\n"));
process.exit(problems.length === 0 ? 0 : 1);
