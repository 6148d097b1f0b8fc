/**
 * @module
 * Runs one program without a shell and makes sure nothing it started outlives the call.
 * On Linux and macOS the child is spawned detached (`setsid`), so it leads a new process
 * group, and a timeout or cancel kills the whole group with SIGKILL — grandchildren
 * included. On Windows `taskkill /T /F` kills the tree. stdout and stderr are each kept
 * up to a cap and drained past it, so a chatty child never blocks on a full pipe.
 */
import { ConnectorError } from "../errors.ts";
import type { ScriptResult } from "../connector.ts";

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

  let stopped: ConnectorError | undefined;
  const stop = (reason: ConnectorError) => {
    stopped ??= reason;
    killTree(child.pid);
  };
  const timer = setTimeout(() => stop(new ConnectorError("TIMEOUT", `the script ran longer than ${options.timeoutMs} ms and was killed`)), options.timeoutMs);
  const onAbort = () => stop(options.signal.reason instanceof ConnectorError ? options.signal.reason : new ConnectorError("CANCELLED", "the script was cancelled"));
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener("abort", onAbort, { once: true });

  try {
    const outputs = Promise.all([capped(child.stdout, options.maxOutput), capped(child.stderr, options.maxOutput)]);
    const exitCode = await child.exited;
    // The leader may exit while children it started still hold the pipes: clear the group.
    killTree(child.pid);
    const [stdout, stderr] = await outputs;
    if (stopped) throw stopped;
    return { exitCode, stdout: stdout.text, stderr: stderr.text, truncated: stdout.truncated || stderr.truncated };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onAbort);
  }
}

function killTree(pid: number): void {
  if (process.platform === "win32") {
    Bun.spawnSync(["taskkill", "/T", "/F", "/PID", String(pid)], { stdout: "ignore", stderr: "ignore" });
    return;
  }
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function capped(stream: ReadableStream<Uint8Array>, max: number): Promise<{ text: string; truncated: boolean }> {
  const kept: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const room = max - size;
    if (chunk.byteLength > room) truncated = true;
    if (room <= 0) continue;
    const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    kept.push(part);
    size += part.byteLength;
  }
  return { text: new TextDecoder().decode(Buffer.concat(kept)), truncated };
}
