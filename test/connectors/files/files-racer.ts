/**
 * @module
 * A racer process for the files tests: it keeps changing the tree while the connector
 * works on it, the way a hostile or just busy neighbour on the agent host would.
 * `exchange` swaps two names with `renameat2(RENAME_EXCHANGE)` (a folder and a symlink
 * to outside: the path never stops existing, it only changes what it leads to);
 * `replace` atomically replaces a file over and over (write a temp file, rename it over).
 * python3 with ctypes reaches `renameat2`, which Bun does not expose.
 */
import type { Subprocess } from "bun";

const SCRIPT = String.raw`
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
mode = sys.argv[1]
print("ready", flush=True)
if mode == "exchange":
    a, b = sys.argv[2].encode(), sys.argv[3].encode()
    while True:
        if libc.renameat2(-100, a, -100, b, 2) != 0:
            sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
        time.sleep(0.0002)
else:
    target, n = sys.argv[2], 0
    while True:
        n += 1
        temp = target + ".racer-tmp"
        with open(temp, "w") as f:
            f.write("version %d " % n + "x" * 1000)
        os.replace(temp, target)
`;

export interface Racer {
  stop(): Promise<void>;
}

/** Starts the racer and resolves once it runs; `stop()` ends that process only. */
export async function startRacer(mode: "exchange" | "replace", ...paths: string[]): Promise<Racer> {
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(["/usr/bin/python3", "-c", SCRIPT, mode, ...paths], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  const first = await reader.read();
  if (!new TextDecoder().decode(first.value).startsWith("ready")) throw new Error("the racer did not start");
  return {
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}
