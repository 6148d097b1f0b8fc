/**
 * @module
 * `outpost gateway serve`: the gateway. TLS from a certificate and key file; plain HTTP
 * only on a loopback address or with `--allow-plain-http` (then agents and callers talk
 * in the clear — for a TLS-terminating proxy in front). Stops gracefully on SIGTERM/SIGINT:
 * agents are told to reconnect (they come back by themselves once it is up again).
 */
import { readFileSync } from "node:fs";
import { cmd } from "../command.ts";
import { LEVELS, type Level } from "../../log/logger.ts";
import { UsageError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { redactStoreUrl } from "../../gateway/store/postgres-url.ts";
import { PUBLIC_URL_SETTING, withDataDir, type GatewayCliOptions } from "./gateway-shared.ts";

interface ServeArgs extends GatewayCliOptions {
  store?: string;
  host: string;
  port: number;
  "tls-cert"?: string;
  "tls-key"?: string;
  "public-url"?: string;
  "allow-plain-http": boolean;
  "log-format"?: "text" | "json";
  "log-level"?: string[];
  "alert-grace": number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export const gatewayServeCommand = cmd<GatewayCliOptions, ServeArgs>({
  command: "serve",
  describe: "Run the gateway: agents connect here, callers use its HTTP API",
  builder: (yargs) =>
    withDataDir(yargs)
      .option("store", {
        type: "string",
        default: process.env.OUTPOST_GATEWAY_STORE,
        defaultDescription: "$OUTPOST_GATEWAY_STORE, else gateway.db in --data-dir",
        describe: "postgres://user:password@host:port/db[?sslmode=verify-full&sslrootcert=ca.pem]: a PostgreSQL store several nodes can share",
      })
      .option("host", { type: "string", default: "127.0.0.1", describe: "Address to listen on" })
      .option("port", { type: "number", default: 8443, describe: "Port to listen on (0 picks a free one)" })
      .option("tls-cert", { type: "string", describe: "PEM certificate (chain) file" })
      .option("tls-key", { type: "string", describe: "PEM private key file" })
      .option("public-url", { type: "string", describe: "URL agents dial, e.g. wss://gateway.example.com (default: the listening address)" })
      .option("allow-plain-http", { type: "boolean", default: false, describe: "Serve without TLS on a non-loopback address" })
      .option("log-format", { choices: ["text", "json"] as const, describe: "Log line format (default: text on a terminal, else json)" })
      .option("log-level", { type: "string", array: true, describe: "A component's level, e.g. access=warn (no access lines) or audit=info; repeatable" })
      .option("alert-grace", { type: "number", default: 30, describe: "Seconds an agent may be gone before a disconnect alert is sent" }) as never,
  handler: async (args) => {
    const { openGatewayStore } = await import("../../gateway/store/open-gateway-store.ts");
    const { startGateway } = await import("../../gateway/server.ts");
    const { createLogger } = await import("../../log/logger.ts");
    if (Boolean(args["tls-cert"]) !== Boolean(args["tls-key"])) throw new UsageError("give both --tls-cert and --tls-key, or neither");
    if (!args["tls-cert"] && !LOOPBACK.test(args.host) && !args["allow-plain-http"]) {
      throw new UsageError(`refusing plain HTTP on ${args.host}: give --tls-cert/--tls-key, listen on a loopback address, or pass --allow-plain-http`);
    }
    const tls = args["tls-cert"] ? { cert: readFileSync(args["tls-cert"], "utf8"), key: readFileSync(args["tls-key"]!, "utf8") } : undefined;
    const log = createLogger("gateway", { level: args.debug ? "debug" : "info", components: componentLevels(args["log-level"] ?? []), format: args["log-format"] });
    const store = await openGatewayStore(args.dataDir, {
      storeUrl: args.store,
      onListenState: (listening, message) =>
        listening
          ? log.info("store change feed is back; caches trust it again")
          : log.warn("store change feed lost; every request reads the store until it is back", { error: message }),
    });
    if (args.store) log.info("store opened", { store: redactStoreUrl(args.store) });
    const gateway = startGateway({
      store, log, hostname: args.host, port: args.port, tls, publicUrl: args["public-url"],
      alerts: { graceMs: args["alert-grace"] * 1000 }, version: VERSION,
    });
    await store.setSetting(PUBLIC_URL_SETTING, gateway.publicUrl);
    const { issuedByPublicCa, PRIVATE_CA_SETTING } = await import("../../gateway/tls-issuer.ts");
    await store.setSetting(PRIVATE_CA_SETTING, tls ? !issuedByPublicCa(tls.cert) : false);
    process.stdout.write(`gateway listening on ${gateway.url} (agents dial ${gateway.publicUrl})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => void gateway.stop().finally(resolve);
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
    await store.close();
  },
});

/** `access=warn` pairs as per-component levels; a bad pair is a usage error naming it. */
function componentLevels(pairs: string[]): Record<string, Level> {
  const levels: Record<string, Level> = {};
  for (const pair of pairs) {
    const [component, level] = pair.split("=");
    if (!component || !LEVELS.includes(level as Level)) throw new UsageError(`--log-level takes COMPONENT=LEVEL (${LEVELS.join(", ")}), not "${pair}"`);
    levels[component] = level as Level;
  }
  return levels;
}
