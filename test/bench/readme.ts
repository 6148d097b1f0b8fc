/**
 * @module
 * `docs/benchmarks/README.md`: what the benchmark measures, how to run it, and a link to the
 * latest full run with its chart. Rewritten by each full run.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunInfo } from "./results.ts";

export function writeReadme(dir: string, latest: string, info: RunInfo): void {
  writeFileSync(join(dir, "README.md"), [
    "# Benchmarks",
    "",
    `Latest run: [${latest}](${latest}.md) — ${info.date}, ${info.machine.cpus} CPUs, Outpost ${info.versions.Outpost}.`,
    "",
    `![Outpost against an SSH reverse tunnel, a direct connection and the bare relay of its own design](${latest}.svg)`,
    "",
    "What the numbers say, where Outpost loses, what was profiled and what was changed: [findings.md](findings.md).",
    "",
    "Each run measures four paths from a cloud caller to a PostgreSQL database in a private",
    "network, all on one machine's loopback, in the same run:",
    "",
    "- **direct**: postgres.js connected straight to PostgreSQL (what you get without a firewall);",
    "- **SSH tunnel**: postgres.js through `ssh -N -R` opened from the private side to an OpenSSH server (what most teams run today);",
    "- **relay**: the bare relay of Outpost's own design (`test/bench/bare-relay/`: a Bun.serve HTTPS front, one TLS WebSocket, a Bun agent answering `sql.unsafe()` JSON from a pool of 10 — no auth, routing or flow control; small queries only). Outpost ÷ relay is the overhead Outpost adds to its own design;",
    "- **Outpost**: the typed client calling the compiled gateway over HTTPS, to the compiled agent over its TLS WebSocket.",
    "",
    "The seven measurements of issue 6: small-query latency (p50/p90/p99 at concurrency 1 and 64),",
    "saturation throughput (one agent, a group of two) with the CPU each small query costs the",
    "gateway and the agent (µs of user + system time from `/proc`, for Outpost and the relay),",
    "bulk rows streamed, a file downloaded and uploaded, many requests at once on one agent",
    "connection, the agent's footprint, and failover. The report judges the targets of issue 6",
    "and of issue 13. The machine is shared, so absolute numbers are noisy: compare the ratios",
    "and the CPU per query, measured in the same run.",
    "",
    "## Running it",
    "",
    "```sh",
    "apt-get install -y postgresql openssh-server openssh-client   # Debian; sshd runs as root from a temp config",
    "bun run bench            # full sizes (1,000,000 rows, 1 GiB file, 10,000 requests); writes docs/benchmarks/<date>-full.*",
    "bun run bench --quick    # under 2 minutes (100,000 rows, 64 MiB, 1,000 requests)",
    "bun run bench --smoke --out /tmp/bench   # what CI runs: tiny sizes, checks the harness works",
    "```",
    "",
    "The harness is in `test/bench/` (`run.ts` is the entry point; one file per measurement in `scenarios/`).",
    "",
  ].join("\n"));
}
