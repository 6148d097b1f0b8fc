/** @module A client pointed at a test stack's gateway, trusting the stack's CA. */
import { OutpostClient, type OutpostClientOptions } from "../../src/client/index.ts";
import type { Stack } from "../support/stack.ts";

export function clientFor(stack: Stack, options: Partial<OutpostClientOptions> = {}): OutpostClient {
  return new OutpostClient({ url: `https://localhost:${stack.gateway.port}`, token: stack.token, ca: stack.ca.certPem, ...options });
}
