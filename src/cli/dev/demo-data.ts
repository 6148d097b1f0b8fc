/**
 * @module
 * The sample data of `outpost dev`: a small SQLite database, a folder of files, and the
 * agent's config.yml that offers both. Everything lands in the demo folder so a user can
 * look at it, change it, and run the same requests against their own data later.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeDemoAgent(agentDir: string): string {
  mkdirSync(join(agentDir, "files", "reports"), { recursive: true });
  const db = new Database(join(agentDir, "demo.db"));
  db.run("create table products (id integer primary key, name text not null, price real not null, in_stock integer not null)");
  const insert = db.prepare("insert into products (name, price, in_stock) values (?, ?, ?)");
  for (const [name, price, stock] of [["Lamp", 24.5, 12], ["Desk", 189, 3], ["Chair", 79.9, 0], ["Shelf", 45, 7], ["Mug", 6.5, 120]] as const) {
    insert.run(name, price, stock);
  }
  db.close();
  writeFileSync(join(agentDir, "files", "hello.txt"), "Hello from a folder behind the firewall.\n");
  writeFileSync(join(agentDir, "files", "reports", "2026-q3.csv"), "region,revenue\nnorth,120300\nsouth,98100\n");
  const configPath = join(agentDir, "config.yml");
  writeFileSync(
    configPath,
    `# The demo agent's configuration (outpost dev). Edit it and restart \`outpost dev\`.
databases:
  demo:
    adapter: sqlite
    path: demo.db
files:
  share:
    base: files
`,
  );
  return configPath;
}
