/**
 * @module
 * Knows every process a script started, so a timeout or cancel can kill them all — also
 * those that left the script's process group with `setsid`. The script leads its own
 * group (it is spawned detached); on Linux the tree below it is also read from
 * `/proc/<pid>/task/<tid>/children` while it runs (`snapshot()`, called on a timer by
 * the runner), so a grandchild whose parent already exited is still known by its pid
 * (and start time, against pid reuse). `kill()` stops every known process and the group
 * with SIGSTOP, reads the tree again until nothing new appears (a stopped process cannot
 * fork), then sends SIGKILL to all of them.
 *
 * Limits, on purpose: a process that forks and exits between two snapshots leaves its
 * child unknown (it is reparented to init or a subreaper), so a fast double-forking
 * daemon escapes; PR_SET_CHILD_SUBREAPER and cgroups would close that but are not
 * reachable from Bun / not available without root. Without `/proc` (macOS) only the
 * group is killed. On Windows `taskkill /T /F` kills the tree by parent pid; a Job
 * Object is not reachable from Bun.
 */
import { readdirSync, readFileSync } from "node:fs";

const LINUX = process.platform === "linux";
/** Rounds of stop-and-read at kill time; each catches children forked in the last instant. */
const STOP_ROUNDS = 10;

export class ProcessTree {
  readonly #leader: number;
  /** pid → start time (clock ticks since boot), so a reused pid is never taken for ours. */
  readonly #members = new Map<number, string>();

  constructor(leader: number) {
    this.#leader = leader;
    const started = LINUX ? startTime(leader) : undefined;
    if (started !== undefined) this.#members.set(leader, started);
  }

  /** Adds every live descendant of a live known process. Cost: a few reads per known process. */
  snapshot(): number[] {
    if (!LINUX) return [];
    const added: number[] = [];
    const queue = [...this.#members.keys()];
    while (queue.length > 0) {
      const pid = queue.pop()!;
      if (!this.#isOurs(pid)) continue;
      for (const child of childrenOf(pid)) {
        if (this.#members.has(child)) continue;
        const started = startTime(child);
        if (started === undefined) continue;
        this.#members.set(child, started);
        added.push(child);
        queue.push(child);
      }
    }
    return added;
  }

  /** SIGKILLs the group and every known process, after freezing them so none forks meanwhile. */
  kill(): void {
    if (process.platform === "win32") {
      Bun.spawnSync(["taskkill", "/T", "/F", "/PID", String(this.#leader)], { stdout: "ignore", stderr: "ignore" });
      return;
    }
    if (LINUX) {
      this.snapshot();
      this.#signalAll("SIGSTOP");
      for (let round = 0; round < STOP_ROUNDS; round++) {
        const added = this.snapshot();
        if (added.length === 0) break;
        this.#signalAll("SIGSTOP");
      }
    }
    this.#signalAll("SIGKILL");
  }

  #signalAll(signal: NodeJS.Signals): void {
    // A pid is not handed out again while a group of that id exists; once the group is gone
    // only a stranger leading a group under the reused pid could be hit, as with any group kill.
    send(-this.#leader, signal);
    for (const pid of this.#members.keys()) if (this.#isOurs(pid)) send(pid, signal);
  }

  /** Still the process we saw: alive with the same start time. */
  #isOurs(pid: number): boolean {
    const started = startTime(pid);
    if (started !== undefined && started === this.#members.get(pid)) return true;
    this.#members.delete(pid);
    return false;
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** Field 22 of /proc/<pid>/stat; undefined when the process is gone or a zombie. */
function startTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields restart after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  return fields[19];
}

/** Children of every thread of `pid`; falls back to a scan of /proc by parent pid. */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, "latin1");
    } catch (error) {
      // Kernels built without CONFIG_PROC_CHILDREN have no such file.
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && existsTask(pid, task)) return scanForChildren(pid);
      continue;
    }
    for (const word of text.split(" ")) if (word !== "" && word !== "\n") children.push(Number(word));
  }
  return children;
}

function existsTask(pid: number, task: string): boolean {
  try {
    readFileSync(`/proc/${pid}/task/${task}/stat`, "latin1");
    return true;
  } catch {
    return false;
  }
}

function scanForChildren(parent: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) children.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}
