/**
 * @module
 * `outpost keys rotate`: moves this agent to a new key pair without re-activation. The
 * gateway accepts both keys until the agent connects with the new one; a running agent
 * picks up the new identity file by itself within a few seconds.
 */
import { dirname, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { cmd, group, type GlobalOptions } from "../command.ts";

const rotateCommand = cmd<GlobalOptions, GlobalOptions>({
  command: "rotate",
  describe: "Replace this agent's key pair; the running agent switches without a restart",
  handler: async (args) => {
    const { loadConfig } = await import("../../config/load.ts");
    const { proxyFor } = await import("../../config/proxy.ts");
    const { identityPath } = await import("../../agent/agent.ts");
    const { rotateAgentKey } = await import("../../agent/rotate-key.ts");
    const loaded = await loadConfig(args.config);
    const gateway = loaded.config.gateway;
    if (!gateway?.url) throw new Error(`${loaded.path}: no gateway.url; this host is not activated`);
    const ca = gateway.ca ? readFileSync(resolve(dirname(loaded.path), gateway.ca), "utf8") : undefined;
    const path = identityPath(loaded);
    const result = await rotateAgentKey({
      identityPath: path,
      ca,
      insecureSkipVerify: gateway.insecure_skip_verify,
      proxy: proxyFor(gateway.url.replace(/^ws/, "http"), loaded.config.proxy),
    });
    process.stdout.write(`agent ${result.agentId} now uses a new key (written to ${path}); the old key works until the agent reconnects with the new one\n`);
  },
});

export const keysCommand = group("keys", "Manage this agent's identity key", [rotateCommand]);
