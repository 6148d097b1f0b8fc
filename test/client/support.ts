/** @module A client pointed at a test stack's gateway, trusting the stack's CA; a stack with one SQLite profile. */
import { join } from "node:path";
import { OutpostClient, type OutpostClientOptions } from "../../src/client/index.ts";
import { startStack, type Stack } from "../support/stack.ts";

export function clientFor(stack: Stack, options: Partial<OutpostClientOptions> = {}): OutpostClient {
  return new OutpostClient({ url: `https://localhost:${stack.gateway.port}`, token: stack.token, ca: stack.ca.certPem, ...options });
}

/** A stack whose group `sales` has one agent with the SQLite profile `main` (a temp file). */
export async function startSqliteStack(): Promise<Stack> {
  const stack = await startStack({
    profiles: (dir) => `databases:
  main:
    adapter: sqlite
    path: ${join(dir, "main.db")}
`,
  });
  await stack.addAgent("alpha");
  return stack;
}

/** SQLite: `select <select> from` the numbers 1…n as `i`. */
export const numbersSql = (n: number, select = "i") =>
  `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n}) select ${select} from n`;
