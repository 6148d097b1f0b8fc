/**
 * @module
 * The agent's side of a rolling upgrade: the gateway sends `agent.upgrade {version,
 * baseUrl?}` once this agent is drained. The release is downloaded and verified against
 * the compiled-in release keys (a gateway cannot make an agent run anything unsigned),
 * swapped in, and the answer sent; then the agent asks its process to exit with
 * EXIT_UPGRADED so the service manager starts the new binary.
 */
import type { ProxySection } from "../config/types.ts";
import { ConnectorError } from "../connectors/errors.ts";
import type { Logger } from "../log/logger.ts";

export interface UpgradeRequestDeps {
  version: string;
  proxy?: ProxySection;
  caPath?: string;
  log: Logger;
  /** Asks the process to exit (after the answer is out) with this code. */
  restart: (code: number) => void;
}

export async function upgradeOnRequest(args: Record<string, unknown>, deps: UpgradeRequestDeps): Promise<unknown> {
  const version = typeof args.version === "string" ? args.version : undefined;
  const baseUrl = typeof args.baseUrl === "string" ? args.baseUrl : undefined;
  if (!version) throw new ConnectorError("BAD_REQUEST", "agent.upgrade needs a version");
  const { performUpgrade, EXIT_UPGRADED } = await import("../upgrade/index.ts");
  deps.log.info("upgrade requested by the gateway", { from: deps.version, to: version });
  let result;
  try {
    result = await performUpgrade({
      currentVersion: deps.version,
      version,
      baseUrl,
      proxy: deps.proxy,
      caPath: deps.caPath,
      tty: false,
      write: (text) => {
        const line = text.trim();
        if (line) deps.log.info(line);
      },
    });
  } catch (error) {
    // UpgradeError messages say what failed (signature, checksum, smoke test) and hold no secret.
    throw new ConnectorError("INTERNAL", `upgrade to ${version} failed: ${(error as Error).message}`, { cause: error });
  }
  if (result.status === "upgraded") setTimeout(() => deps.restart(EXIT_UPGRADED), 200);
  return { status: result.status, from: result.from, to: result.to };
}
