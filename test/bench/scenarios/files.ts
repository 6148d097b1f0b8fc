/**
 * @module
 * Measurement 4: one file downloaded and uploaded. Direct is a local read (and a local
 * write); SSH is `ssh cat` run through the reverse tunnel to the private host's sshd (the
 * only way to fetch a file over such a tunnel); Outpost is the client's `files.read` and
 * `files.write`. Peak RSS as in the bulk measurement.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchContext } from "../context.ts";
import { now, PeakRss } from "../measure.ts";
import type { PathName } from "../paths.ts";
import type { Figure } from "../results.ts";

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.byteLength;
  return bytes;
}

async function sshRun(context: BenchContext, command: string, stdin?: string): Promise<number> {
  const proc = Bun.spawn([...context.tunnel.sshArgv(), command], { stdin: stdin ? Bun.file(stdin) : "ignore", stdout: "pipe", stderr: "pipe" });
  const [bytes, err, code] = await Promise.all([drain(proc.stdout), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`ssh ${command} failed (${code}): ${err}`);
  return bytes;
}

export async function filesScenario(context: BenchContext): Promise<Figure[]> {
  const { filesDir, fileBytes } = context.data;
  const source = join(filesDir, "big.bin");
  const files = context.client.group("one").files("share");
  const download: Record<string, () => Promise<number>> = {
    direct: () => drain(Bun.file(source).stream()),
    ssh: () => sshRun(context, `cat ${source}`),
    outpost: async () => drain(await files.read("big.bin")),
  };
  const upload: Record<string, () => Promise<number>> = {
    direct: async () => Bun.write(join(filesDir, "up-direct.bin"), Bun.file(source)),
    ssh: async () => (await sshRun(context, `cat > ${join(filesDir, "up-ssh.bin")}`, source), fileBytes),
    outpost: async () => (await files.write("up-outpost.bin", Bun.file(source).stream())).size,
  };
  const figures: Figure[] = [];
  for (const [direction, runs] of [["download", download], ["upload", upload]] as const) {
    const rate: Partial<Record<PathName, number>> = {};
    const peak: Partial<Record<PathName, number>> = {};
    for (const name of ["direct", "ssh", "outpost"] as const) {
      const watched = name === "outpost" ? context.soloPid : name === "ssh" ? context.tunnel.clientPid : undefined;
      const rss = watched === undefined ? undefined : new PeakRss(watched);
      const started = now();
      const bytes = await runs[name]!();
      const seconds = (now() - started) / 1000;
      const peakBytes = rss?.stop();
      if (peakBytes !== undefined) peak[name] = peakBytes / 2 ** 20;
      if (bytes !== fileBytes) throw new Error(`${direction} over ${name} moved ${bytes} bytes, expected ${fileBytes}`);
      rate[name] = bytes / seconds / 1e6;
      context.log(`${direction} ${name}: ${rate[name]!.toFixed(0)} MB/s`);
    }
    for (const name of ["direct", "ssh", "outpost"]) rmSync(join(filesDir, `up-${name}.bin`), { force: true });
    const size = `${(fileBytes / 2 ** 20).toFixed(0)} MiB`;
    figures.push(
      { measurement: 4, label: `${size} file ${direction}: MB/s`, unit: "MB/s", better: "higher", values: rate,
        note: direction === "download" ? "direct: local read; SSH: `ssh cat` through the tunnel" : "direct: local copy; SSH: `ssh 'cat >'` through the tunnel" },
      { measurement: 4, label: `${size} file ${direction}: peak RSS of the private-side process`, unit: "MiB", better: "lower", values: peak,
        note: "Outpost: the agent; SSH: the `ssh -R` client" },
    );
  }
  return figures;
}
