/**
 * @module
 * Everything a scenario needs, started once per run: the data, the SSH tunnel, the Outpost
 * cluster and a client per path.
 */
import type { OutpostClient } from "../../src/client/index.ts";
import type { BareRelay } from "./bare-relay.ts";
import type { BenchOptions } from "./options.ts";
import type { OutpostCluster } from "./outpost-cluster.ts";
import type { DbPath } from "./paths.ts";
import type { Figure } from "./results.ts";
import type { BenchData } from "./servers.ts";
import type { SshTunnel } from "./ssh-tunnel.ts";

export interface BenchContext {
  options: BenchOptions;
  data: BenchData;
  tunnel: SshTunnel;
  cluster: OutpostCluster;
  client: OutpostClient;
  direct: DbPath;
  ssh: DbPath;
  /** The bare relay of Outpost's design (no bulk path) and its two processes. */
  relay: DbPath;
  bareRelay: BareRelay;
  /** Outpost, group `one` (a single agent). */
  outpost: DbPath;
  /** Outpost, group `pair` (two agents). */
  outpostPair: DbPath;
  /** pid of the single agent serving group `one`. */
  soloPid: number;
  /** pid of the compiled gateway. */
  gatewayPid: number;
  /** pids of the two agents serving group `pair`. */
  pairPids: number[];
  log(message: string): void;
}

export type Scenario = (context: BenchContext) => Promise<Figure[]>;
