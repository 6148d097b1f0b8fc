/**
 * @module
 * The agent process (`outpost run`): loads config.yml and the identity, builds the
 * profiles, keeps the tunnel up through the supervisor, serves streams through the
 * dispatcher, applies config edits when `autoReload` is on, and shuts down gracefully:
 * on SIGTERM/SIGINT it stops taking new streams, lets in-flight ones finish within
 * `agent.shutdown_grace` (30 s), and exits 0.
 */
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { LoadedConfig } from "../config/load.ts";
import { identityFileOf } from "../config/file-refs.ts";
import { watchConfig } from "../config/watch.ts";
import { readIdentityFile, sign } from "../crypto/identity.ts";
import type { Logger } from "../log/logger.ts";
import type { AgentInfo } from "../protocol/index.ts";
import { Dispatcher } from "./dispatcher.ts";
import { HealthReporter } from "./doctor/health-reporter.ts";
import { startHealthServer } from "./health-server.ts";
import { AgentMetrics } from "./metrics.ts";
import { ProfileSet } from "./profiles.ts";
import { Supervisor } from "./supervisor.ts";
import { osUser } from "./os-user.ts";
import { upgradeOnRequest } from "./upgrade-request.ts";

/** How long the first hello waits for the profile checks (each has its own 5 s timeout). */
const START_CHECK_WAIT_MS = 2000;

export interface AgentOptions {
  /** Already loaded and checked config.yml. */
  loaded: LoadedConfig;
  version: string;
  log: Logger;
  /** Overrides `HTTPS_PROXY`-style discovery (the CLI passes what config.yml's `proxy:` says). */
  proxy?: string;
}

export interface RunningAgent {
  readonly supervisor: Supervisor;
  readonly dispatcher: Dispatcher;
  /** Resolves with an exit code when the agent wants its process restarted (after an upgrade). */
  readonly restartRequested: Promise<number>;
  /** Graceful stop: go-away, drain for the grace period, close. Resolves with whether everything finished in time. */
  shutdown(): Promise<boolean>;
}

/** Where the identity file lives: `gateway.identity`, or identity.json beside config.yml. */
export function identityPath(loaded: LoadedConfig): string {
  return identityFileOf(loaded.config, loaded.path).path;
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { loaded, log } = options;
  const gateway = loaded.config.gateway;
  if (!gateway?.url) throw new Error(`${loaded.path}: no gateway.url; run \`outpost activate CODE --gateway URL\` first`);
  const baseDir = dirname(loaded.path);
  const idPath = identityPath(loaded);
  readIdentityFile(idPath); // fail now, with the path, rather than inside the loop
  if (gateway.insecure_skip_verify) {
    log.warn("gateway.insecure_skip_verify is on: the gateway's certificate is NOT checked; anyone on the path can impersonate it");
  }
  const ca = gateway.ca ? readFileSync(resolve(baseDir, gateway.ca), "utf8") : undefined;

  // Profile health rides in the hello; a change reconnects make-before-break (health-reporter.ts).
  let reconnect = (_reason: string) => {};
  const healthReporter = new HealthReporter({ current: () => JSON.stringify(profiles.summaries()), reconnect: (reason) => reconnect(reason) });
  const onHealthChange = () => healthReporter.changed();
  let profiles = await ProfileSet.create(loaded, { log, baseDir, onHealthChange });
  // The first hello should say which targets answer; a slow one reports by reconnecting later.
  await Promise.race([profiles.checkHealth(loaded, onHealthChange), Bun.sleep(START_CHECK_WAIT_MS)]);
  const agentSettings = loaded.config.agent ?? {};
  let requestRestart!: (code: number) => void;
  const restartRequested = new Promise<number>((resolve) => (requestRestart = resolve));
  const metrics = new AgentMetrics({ version: options.version });
  const dispatcher = new Dispatcher({
    profiles: () => profiles,
    onFinished: metrics.finished,
    log: log.child("agent"),
    concurrency: agentSettings.concurrency,
    queueSize: agentSettings.queue_size,
    maxRequestSize: agentSettings.max_request_size,
    control: {
      "agent.upgrade": (args) =>
        upgradeOnRequest(args, {
          version: options.version,
          proxy: loaded.config.proxy,
          caPath: gateway.ca ? resolve(baseDir, gateway.ca) : undefined,
          log: log.child("agent"),
          restart: requestRestart,
        }),
    },
  });
  const info = (): AgentInfo => ({
    version: options.version,
    hostname: hostname(),
    pid: process.pid,
    user: osUser(),
    os: process.platform,
    arch: process.arch,
    profiles: sentProfiles(),
  });
  const sentProfiles = () => {
    const summaries = profiles.summaries();
    healthReporter.sent(JSON.stringify(summaries));
    return summaries;
  };
  const supervisor = new Supervisor({
    gatewayUrl: gateway.url,
    identity: () => readIdentityFile(idPath),
    info,
    onStream: dispatcher.handle,
    sign,
    tls: { ca, insecureSkipVerify: gateway.insecure_skip_verify },
    proxy: options.proxy,
    log: log.child("agent"),
    onState: metrics.stateChanged,
  });
  reconnect = (reason) => supervisor.reconnect(reason);

  const health = agentSettings.health
    ? startHealthServer({
        port: agentSettings.health.port,
        host: agentSettings.health.host,
        ready: () => ({ ready: supervisor.state === "connected", state: supervisor.state, inFlight: dispatcher.inFlight }),
        metrics: () => metrics.render({
          inFlight: dispatcher.inFlight, queued: dispatcher.queued, state: supervisor.state, profiles: profiles.summaries().map((profile) => profile.name),
        }),
      })
    : undefined;

  let reloading: Promise<void> = Promise.resolve();
  const stopWatching = loaded.config.autoReload
    ? watchConfig(loaded.path, {
        // Reloads run one after another: each builds on the set the previous one left.
        onChange: (next) => {
          reloading = reloading.then(() =>
            ProfileSet.create(next, { log, baseDir, onHealthChange }, profiles).then(async (updated) => {
              await Promise.race([updated.checkHealth(next, onHealthChange), Bun.sleep(START_CHECK_WAIT_MS)]);
              const changed = !updated.sameOffer(profiles);
              profiles = updated;
              log.info("config reloaded", { path: next.path, profilesChanged: changed });
              if (changed) supervisor.reconnect("profiles changed");
            }, (error) => log.error("config reload failed; keeping the last good config", { reason: (error as Error).message })),
          );
        },
        onError: (error) => log.error("config edit rejected; keeping the last good config", { reason: (error as Error).message }),
      })
    : undefined;

  // `outpost keys rotate` replaces the identity file; reconnect so the new key is proven at once.
  const onIdentityChange = (now: { mtimeMs: number }, before: { mtimeMs: number }) => {
    if (now.mtimeMs !== before.mtimeMs) supervisor.reconnect("identity file changed");
  };
  watchFile(idPath, { interval: 2000, persistent: false }, onIdentityChange);

  supervisor.start();

  let shuttingDown: Promise<boolean> | undefined;
  return {
    supervisor,
    dispatcher,
    restartRequested,
    shutdown() {
      shuttingDown ??= (async () => {
        const graceMs = (agentSettings.shutdown_grace ?? 30) * 1000;
        log.info("shutting down: finishing requests in flight", { inFlight: dispatcher.inFlight, graceSeconds: graceMs / 1000 });
        stopWatching?.();
        healthReporter.stop();
        unwatchFile(idPath, onIdentityChange);
        const stopped = supervisor.stop();
        const drained = await dispatcher.drain(graceMs);
        supervisor.closeSession();
        await stopped;
        await health?.stop(true);
        await profiles.close();
        log.info(drained ? "stopped" : "stopped with requests still running after the grace period");
        return drained;
      })();
      return shuttingDown;
    },
  };
}
