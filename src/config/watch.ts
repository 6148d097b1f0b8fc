/**
 * @module
 * Reloads config.yml when it changes (`autoReload: true`). Editors save by writing in
 * place or by renaming a temp file over the original, so the folder is watched and events
 * for the file's name are debounced. A reload that fails keeps the last good config: the
 * caller gets `onError` with exactly why, and nothing changes until a good edit.
 */
import { watch, type FSWatcher } from "node:fs";
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { loadConfig, type LoadedConfig, type LoadOptions } from "./load.ts";

export interface WatchOptions extends LoadOptions {
  /** A good new config; apply it. */
  onChange(loaded: LoadedConfig): void;
  /** The edit is bad (a `ConfigError` with every problem); the last good config stays. */
  onError(error: unknown): void;
  /** Quiet time after the last event before reloading, in ms. Defaults to `250`. */
  debounceMs?: number;
}

/** Starts watching `path`; returns a function that stops it. Content equal to the last load is ignored. */
export function watchConfig(path: string, options: WatchOptions): () => void {
  const full = resolve(path);
  const name = basename(full);
  const debounceMs = options.debounceMs ?? 250;
  let lastText = readOrUndefined(full);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const reload = async () => {
    const text = readOrUndefined(full);
    if (text === undefined || text === lastText) return; // mid-rename, or touched without change
    lastText = text;
    try {
      const loaded = await loadConfig(full, options);
      if (!stopped) options.onChange(loaded);
    } catch (error) {
      if (!stopped) options.onError(error);
    }
  };

  const watcher: FSWatcher = watch(dirname(full), (_event, changed) => {
    if (stopped || (changed !== null && changed !== name)) return;
    clearTimeout(timer);
    // Reloads run one after another so a slow decrypt cannot apply an older edit last.
    timer = setTimeout(() => (running = running.then(reload)), debounceMs);
  });

  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher.close();
  };
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
