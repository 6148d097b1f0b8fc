/**
 * @module
 * `outpost activate CODE --gateway wss://HOST:PORT [--ca FILE]`: registers this host as
 * an agent. The key pair is made here and the secret key never leaves the host; the
 * identity file (0600) and the `gateway:` section of config.yml are written.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { cmd, type GlobalOptions } from "../command.ts";
import { UsageError } from "../errors.ts";
import { VERSION } from "../version.ts";

interface ActivateArgs extends GlobalOptions {
  code: string;
  gateway: string;
  ca?: string;
  identity?: string;
  "insecure-skip-verify": boolean;
  force: boolean;
}

export const activateCommand = cmd<GlobalOptions, ActivateArgs>({
  command: "activate <code>",
  describe: "Register this host as an agent with a one-time activation code",
  builder: (yargs) =>
    yargs
      .positional("code", { type: "string", demandOption: true, describe: "The code from `outpost gateway agent add`" })
      .option("gateway", { type: "string", demandOption: true, describe: "Gateway URL, e.g. wss://gateway.example.com:8443" })
      .option("ca", { type: "string", describe: "PEM file of the CA to trust for the gateway (instead of the system store)" })
      .option("identity", { type: "string", describe: "Where to write the identity file (default: identity.json beside config.yml)" })
      .option("insecure-skip-verify", { type: "boolean", default: false, describe: "Do not check the gateway's certificate (never in production)" })
      .option("force", { type: "boolean", default: false, describe: "Replace an existing identity file" }) as never,
  handler: async (args) => {
    const { activateAgent, normalizeGatewayUrl } = await import("../../agent/activate.ts");
    const { proxyFor } = await import("../../config/proxy.ts");
    const configPath = resolve(args.config);
    const identityPath = resolve(args.identity ?? resolve(dirname(configPath), "identity.json"));
    if (existsSync(identityPath) && !args.force) {
      throw new UsageError(`${identityPath} already exists; this host is activated already (use --force to replace it)`);
    }
    const caPath = args.ca ? resolve(args.ca) : undefined;
    const ca = caPath ? readFileSync(caPath, "utf8") : undefined;
    const proxySection = existsSync(configPath) ? await readProxySection(configPath) : undefined;
    const result = await activateAgent({
      code: args.code,
      gatewayUrl: args.gateway,
      configPath,
      identityPath,
      ca,
      caPath,
      insecureSkipVerify: args["insecure-skip-verify"],
      proxy: proxyFor(gatewayUrlFor(args.gateway, normalizeGatewayUrl), proxySection),
      version: VERSION,
    });
    process.stdout.write(
      `activated agent "${result.agentName}" in group "${result.group}"\n` +
        `identity: ${identityPath} (keep it private; it is this agent's key)\n` +
        `config:   ${configPath} (gateway section written)\n` +
        `next:     outpost run --config ${configPath}\n`,
    );
  },
});

/** The gateway's URL with its scheme (`gw:8443` → `wss://gw:8443`), so `no_proxy` sees its host; a bad one is a usage error. */
function gatewayUrlFor(text: string, normalize: (text: string) => string): string {
  try {
    return normalize(text);
  } catch (error) {
    throw new UsageError(`--gateway: ${(error as Error).message}`);
  }
}

/**
 * The `proxy:` section if config.yml already has one, with its secrets resolved like the
 * agent would; the rest of the file is not resolved (activation must not fail on a
 * database password set only in the service's environment).
 */
async function readProxySection(path: string) {
  const { loadConfigSections } = await import("../../config/load.ts");
  return (await loadConfigSections(path, ["proxy"])).config.proxy;
}
