/**
 * @module
 * The facts printed at the top of each results file: the machine (cores, memory, CPU model,
 * kernel) and the versions of everything measured.
 */
import { cpus, release, totalmem } from "node:os";
import type { RunInfo } from "./results.ts";

async function output(argv: string[]): Promise<string> {
  try {
    const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
    const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return (out || err).trim();
  } catch {
    return "unknown";
  }
}

export function machine(): RunInfo["machine"] {
  return { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), cpuModel: cpus()[0]?.model.trim() ?? "unknown", kernel: release() };
}

/** Versions of Bun, Outpost, PostgreSQL (from the server itself) and OpenSSH. */
export async function versions(outpost: string, postgresVersion: string): Promise<Record<string, string>> {
  return {
    Bun: Bun.version,
    Outpost: outpost,
    PostgreSQL: postgresVersion,
    OpenSSH: (await output(["ssh", "-V"])).split(",")[0] ?? "unknown",
  };
}
