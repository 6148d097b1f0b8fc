/**
 * @module
 * Runs one program without a shell and makes sure nothing it started outlives the call.
 * The child is spawned detached (`setsid`), so it leads a new process group; while it
 * runs, process-tree.ts keeps a list of its descendants (also those that called setsid),
 * and a timeout, a cancel or the child's own exit kills all of them with the group.
 * The call never waits on a pipe for long once the child has exited or was killed: a
 * process that escaped the kill may hold stdout open for ever, so after a short grace the
 * output read so far is what the call answers with (or the timeout / cancel error).
 * stdout and stderr are each kept up to a cap and drained past it, so a chatty child
 * never blocks on a full pipe.
 */
import { ConnectorError } from "../errors.ts";
import type { ScriptResult } from "../connector.ts";
import { ProcessTree } from "./process-tree.ts";

/** How often the tree is read while the child runs: each read costs a few small /proc reads per process. */
const SNAPSHOT_MS = 200;
/** How long the pipes may stay open after the child exited or was killed. */
const PIPE_GRACE_MS = 250;

export interface RunOptions {
  cwd?: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each. */
  maxOutput: number;
  signal: AbortSignal;
}

export async function runProcess(argv: string[], options: RunOptions): Promise<ScriptResult> {
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn(argv, { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ConnectorError("NOT_FOUND", `the program "${argv[0]}" was not found`, { cause: error });
    if (code === "EACCES") throw new ConnectorError("FORBIDDEN_PATH", `the program "${argv[0]}" cannot be run`, { cause: error });
    throw error;
  }
  const tree = new ProcessTree(child.pid);
  const snapshots = setInterval(() => tree.snapshot(), SNAPSHOT_MS);

  let stopped: ConnectorError | undefined;
  const stop = (reason: ConnectorError) => {
    stopped ??= reason;
    tree.kill();
  };
  const timer = setTimeout(() => stop(new ConnectorError("TIMEOUT", `the script ran longer than ${options.timeoutMs} ms and was killed`)), options.timeoutMs);
  const onAbort = () => stop(options.signal.reason instanceof ConnectorError ? options.signal.reason : new ConnectorError("CANCELLED", "the script was cancelled"));
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener("abort", onAbort, { once: true });

  const stdout = new CappedReader(child.stdout, options.maxOutput);
  const stderr = new CappedReader(child.stderr, options.maxOutput);
  try {
    const exitCode = await child.exited;
    // The leader may exit while children it started still run and hold the pipes: clear them.
    tree.kill();
    clearInterval(snapshots);
    const drained = Promise.all([stdout.done, stderr.done]);
    let grace: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<"grace">((resolve) => (grace = setTimeout(resolve, PIPE_GRACE_MS, "grace")));
    if ((await Promise.race([drained, graceOver])) === "grace") await Promise.all([stdout.cut(), stderr.cut()]);
    clearTimeout(grace);
    if (stopped) throw stopped;
    return { exitCode, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated };
  } finally {
    clearInterval(snapshots);
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onAbort);
  }
}

/** Reads a stream to its end, keeping up to `max` bytes; `cut()` stops early and marks it truncated. */
class CappedReader {
  readonly done: Promise<void>;
  truncated = false;
  readonly #kept: Uint8Array[] = [];
  readonly #cancel: () => Promise<void>;
  #size = 0;

  constructor(stream: ReadableStream<Uint8Array>, max: number) {
    const reader = stream.getReader();
    this.#cancel = () => reader.cancel();
    this.done = this.#read(reader, max);
  }

  async #read(reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> }, max: number): Promise<void> {
    for (;;) {
      let next: { done: boolean; value?: Uint8Array };
      try {
        next = await reader.read();
      } catch {
        return; // cancelled by cut()
      }
      if (next.done || !next.value) return;
      const chunk = next.value;
      const room = max - this.#size;
      if (chunk.byteLength > room) this.truncated = true;
      if (room <= 0) continue;
      const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
      this.#kept.push(part);
      this.#size += part.byteLength;
    }
  }

  /** Gives up on a pipe someone else still holds open: what was read so far is the output. */
  async cut(): Promise<void> {
    this.truncated = true;
    await this.#cancel().catch(() => {});
    await this.done;
  }

  text(): string {
    return new TextDecoder().decode(Buffer.concat(this.#kept));
  }
}
