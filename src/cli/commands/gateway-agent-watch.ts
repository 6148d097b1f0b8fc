/**
 * @module
 * `agent list --watch`: asks the gateway for the list every 2 s and prints it again only
 * when it changed — one GET per interval, which any token that may read the group can
 * make (the console's event stream needs an admin token). On a terminal the screen is
 * redrawn; into a pipe each new list follows the last (one JSON line each with `-o json`).
 * Ctrl-C stops it with exit code 0. A failure the gateway calls retryable (a restart, a
 * network blip) is reported once and polling goes on; any other failure ends the command.
 */
import { OutpostError } from "../../client/errors.ts";
import type { Out } from "./gateway-shared.ts";

export interface WatchOptions {
  render: () => Promise<string>;
  out: Out;
  /** Stop after this many renders; unbounded by default. */
  count?: number;
  /** Redraw the screen (a terminal) instead of appending. */
  clear: boolean;
  /** Defaults to 2000 ms. */
  intervalMs?: number;
}

const CLEAR_SCREEN = "\x1b[H\x1b[2J";

export async function watchAgents(options: WatchOptions): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let last: string | undefined;
  let lastProblem: string | undefined;
  let renders = 0;
  try {
    while (!stop.signal.aborted) {
      const text = await options.render().catch((error: unknown) => {
        // The first list must work (a wrong group or token is not worth watching).
        if (renders === 0 || !(error instanceof OutpostError) || !error.retryable) throw error;
        if (error.message !== lastProblem) process.stderr.write(`outpost: ${error.message}; still trying\n`);
        lastProblem = error.message;
        return undefined;
      });
      if (text !== undefined && text !== last) {
        lastProblem = undefined;
        options.out(options.clear ? `${CLEAR_SCREEN}every ${(options.intervalMs ?? 2000) / 1000} s, Ctrl-C to stop — ${new Date().toISOString()}\n\n${text}` : `${renders > 0 && !text.startsWith("[") ? "\n" : ""}${text}`);
        last = text;
        renders++;
        if (options.count !== undefined && renders >= options.count) return;
      }
      await sleep(options.intervalMs ?? 2000, stop.signal);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
